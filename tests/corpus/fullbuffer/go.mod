module linger/tests/corpus/fullbuffer

go 1.17
