// condnosignal: sync.Cond.Wait with no signal.
//
// Each request creates a one-shot result slot (a mutex, a sync.Cond and a
// done flag) and starts a waiter goroutine that Waits on the Cond until the
// slot is filled. The request fills the slot and Broadcasts, except on an
// error path that returns without filling it: the waiter is stuck in
// `sync.Cond.Wait` forever.
//
// Ground truth: the waiter is leaked the moment its request returns without
// a Broadcast.
//
// Sites: leak main.leakCondWait; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"errors"
	"flag"
	"sync"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate  = flag.Float64("rate", 50, "requests per second")
		failP = flag.Float64("fail", 0.04, "probability of the error path that never signals")
	)
	c := truth.New()
	site := c.LeakSite("main.leakCondWait", truth.ExpectLeak)
	c.Serve(*rate, func() { _ = leakCondWait(c.Rand, *failP, site) })
	c.Run()
}

type slot struct {
	mu   sync.Mutex
	cond *sync.Cond
	done bool
	v    int
}

var errBackend = errors.New("backend: unavailable")

// leakCondWait starts the waiter, computes for a log-normal time (median
// 8 ms) and fills the slot, except on its error path.
//
//go:noinline
func leakCondWait(r *truth.Rand, failP float64, s *truth.Site) error {
	sl := &slot{}
	sl.cond = sync.NewCond(&sl.mu)
	go func() {
		sl.mu.Lock()
		for !sl.done {
			sl.cond.Wait()
		}
		v := sl.v
		sl.mu.Unlock()
		_ = v
	}()
	time.Sleep(r.Lognormal(8*time.Millisecond, 0.6))
	if r.Chance(failP) {
		s.Leaked(1) // the bug: returns without filling the slot
		return errBackend
	}
	sl.mu.Lock()
	sl.done, sl.v = true, 42
	sl.cond.Broadcast()
	sl.mu.Unlock()
	return nil
}
