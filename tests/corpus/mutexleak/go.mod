module linger/tests/corpus/mutexleak

go 1.17
