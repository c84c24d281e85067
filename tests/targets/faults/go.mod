module linger/tests/faults

go 1.17
