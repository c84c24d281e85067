module linger/tests/corpus/workerpool

go 1.17
