// recvtimeout: a receive left behind after a timeout.
//
// Each request starts its post-processing goroutine first, then fetches the
// input it will hand over. The fetch has a deadline; on timeout the request
// returns its error early and forgets the goroutine it started, which waits
// forever in `chan receive` for an input that will never come. Requests
// whose fetch succeeds hand the input over and the goroutine exits.
//
// Ground truth: the goroutine is leaked the moment its request returns
// without sending.
//
// Sites: leak main.leakRecvAfterTimeout; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"errors"
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate    = flag.Float64("rate", 60, "requests per second")
		median  = flag.Duration("fetch", 8*time.Millisecond, "median fetch time (log-normal, sigma_log 0.5)")
		timeout = flag.Duration("timeout", 20*time.Millisecond, "fetch deadline")
	)
	c := truth.New()
	site := c.LeakSite("main.leakRecvAfterTimeout", truth.ExpectLeak)
	c.Serve(*rate, func() { _ = leakRecvAfterTimeout(c.Rand, *median, *timeout, site) })
	c.Run()
}

var errTimeout = errors.New("fetch: deadline exceeded")

// leakRecvAfterTimeout starts a consumer, fetches its input with a deadline
// and, on timeout, returns without ever sending: the consumer blocks in its
// receive forever.
//
//go:noinline
func leakRecvAfterTimeout(r *truth.Rand, median, timeout time.Duration, s *truth.Site) error {
	input := make(chan []byte)
	go func() {
		b := <-input
		checksum(b)
	}()
	b, err := fetch(r, median, timeout)
	if err != nil {
		s.Leaked(1) // the bug: no close(input), no send
		return err
	}
	input <- b
	return nil
}

// fetch takes a log-normal time, or fails at the deadline.
func fetch(r *truth.Rand, median, timeout time.Duration) ([]byte, error) {
	d := r.Lognormal(median, 0.5)
	if d > timeout {
		time.Sleep(timeout)
		return nil, errTimeout
	}
	time.Sleep(d)
	return make([]byte, 64), nil
}

func checksum(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}
