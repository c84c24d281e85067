module linger/tests/corpus/rwmutexleak

go 1.17
