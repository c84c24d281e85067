// sendtimeout: a send left behind after a timeout.
//
// Each request runs its backend call in a goroutine and waits for the result
// with a deadline. The result channel is unbuffered, so when the caller gives
// up first, the worker's send can never complete: the worker is stuck
// forever in `chan send`. Most calls beat the deadline and their workers
// exit, so the leaking go statement also has plenty of healthy exits.
//
// Ground truth: a worker is leaked the moment its caller times out.
//
// Sites: leak main.leakSendAfterTimeout; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate    = flag.Float64("rate", 60, "requests per second")
		median  = flag.Duration("work", 8*time.Millisecond, "median backend call time (log-normal, sigma_log 0.5)")
		timeout = flag.Duration("timeout", 20*time.Millisecond, "request deadline")
	)
	c := truth.New()
	site := c.LeakSite("main.leakSendAfterTimeout", truth.ExpectLeak)
	// With the defaults ~3.4% of calls miss the deadline: ~2 leaks a second.
	c.Serve(*rate, func() { leakSendAfterTimeout(c.Rand, *median, *timeout, site) })
	c.Run()
}

// leakSendAfterTimeout calls a backend in a goroutine and gives up after
// timeout; the worker then blocks forever on its unbuffered send.
//
//go:noinline
func leakSendAfterTimeout(r *truth.Rand, median, timeout time.Duration, s *truth.Site) int {
	result := make(chan int)
	d := r.Lognormal(median, 0.5)
	go func() {
		time.Sleep(d) // the backend call
		result <- int(d)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case v := <-result:
		return v
	case <-t.C:
		s.Leaked(1) // nobody will ever receive from result
		return -1
	}
}
