module linger/tests/corpus/ctxnevercancel

go 1.17
