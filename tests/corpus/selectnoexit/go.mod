module linger/tests/corpus/selectnoexit

go 1.17
