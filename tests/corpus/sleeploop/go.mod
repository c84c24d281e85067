module linger/tests/corpus/sleeploop

go 1.17
