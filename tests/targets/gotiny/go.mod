module linger/tests/gotiny

go 1.17
