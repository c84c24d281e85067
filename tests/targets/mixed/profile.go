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

// startPingPong bounces a value between two goroutines until shutdown, so
// that a CPU profile shows the channel send and receive paths (and the
// runtime's park and ready under them) as hot: PGO then inlines them.
func startPingPong(shutdown <-chan struct{}) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	go func() {
		defer close(ping)
		v := 0
		for {
			select {
			case <-shutdown:
				return
			case ping <- v:
				v = <-pong
			}
		}
	}()
}
