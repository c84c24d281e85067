module linger/tests/corpus/recvtimeout

go 1.17
