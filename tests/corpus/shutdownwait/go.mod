module linger/tests/corpus/shutdownwait

go 1.17
