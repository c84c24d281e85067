module linger/tests/corpus/lognormal

go 1.17
