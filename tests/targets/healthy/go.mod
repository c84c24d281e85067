module linger/tests/healthy

go 1.17
