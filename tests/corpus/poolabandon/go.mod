module linger/tests/corpus/poolabandon

go 1.17
