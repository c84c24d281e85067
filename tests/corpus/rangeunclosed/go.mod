module linger/tests/corpus/rangeunclosed

go 1.17
