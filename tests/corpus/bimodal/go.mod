module linger/tests/corpus/bimodal

go 1.17
