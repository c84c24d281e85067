module linger/tests/leakysvc

go 1.17
