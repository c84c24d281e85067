module linger/tests/corpus/httpbody

go 1.17
