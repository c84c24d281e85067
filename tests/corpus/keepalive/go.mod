module linger/tests/corpus/keepalive

go 1.17
