module linger/tests/corpus

go 1.17
