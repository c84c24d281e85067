module linger/tests/corpus/wgmissingdone

go 1.17
