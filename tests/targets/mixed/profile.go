package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile records a CPU profile into path until stop is called.
// The version matrix builds one variant of this program with PGO, from a
// profile this program wrote of itself.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
