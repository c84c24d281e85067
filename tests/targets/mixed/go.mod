module linger/tests/mixed

go 1.17
