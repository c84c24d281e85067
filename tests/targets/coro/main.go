// coro leaks the goroutines behind iter.Pull: a pull iterator whose stop
// function is never called keeps its coroutine goroutine parked forever.
// Built with Go older than 1.23 (no iter package) it only says so and
// exits: see pull.go and nopull.go.
//
// stdout: `healthy <func>`, `expect <func> <verdict>`, `ready <pid>`, then
// `truth <unix-ms> <func> <leaked>` once a second.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	duration := flag.Duration("duration", 10*time.Minute, "stop after this long")
	rate := flag.Int("rate", 100, "iterators pulled per second")
	flag.Parse()
	if !supported {
		fmt.Println("unsupported: iter.Pull needs Go 1.23")
		os.Exit(3)
	}
	var leaked int64
	fmt.Println("healthy main.pullAndStop")
	fmt.Println("expect main.pullAndForget leak")
	fmt.Printf("ready %d\n", os.Getpid())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	deadline := time.After(*duration)
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	report := time.NewTicker(time.Second)
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		case <-deadline:
			return
		case <-report.C:
			fmt.Printf("truth %d main.pullAndForget %d\n", time.Now().UnixMilli(),
				atomic.LoadInt64(&leaked))
		case <-tick.C:
			// Every tenth pull of this site forgets its stop: most of its
			// coroutines finish (the site's lifetimes), a tenth leak.
			if pullAndForget(n%10 == 0) {
				atomic.AddInt64(&leaked, 1)
			}
			pullAndStop()
		}
	}
}
