module linger/tests/corpus/sendtimeout

go 1.17
