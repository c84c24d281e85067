module linger/tests/corpus/condnosignal

go 1.17
