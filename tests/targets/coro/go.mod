module linger/tests/coro

go 1.17
