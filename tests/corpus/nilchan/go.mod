module linger/tests/corpus/nilchan

go 1.17
