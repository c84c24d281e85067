module linger/tests/corpus/bursty

go 1.17
