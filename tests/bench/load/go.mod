module linger/tests/bench/load

go 1.17
