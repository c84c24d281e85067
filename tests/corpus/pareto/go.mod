module linger/tests/corpus/pareto

go 1.17
