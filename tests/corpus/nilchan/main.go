// nilchan: an operation on a nil channel.
//
// Each call starts a goroutine that waits for the call's reply on
// c.reply. Calls built by the legacy code path never make the reply
// channel: the goroutine receives from a nil channel and is stuck in
// `chan receive (nil chan)` forever (the dispatcher checks for nil before
// its send, so only the waiter hangs). Calls built by the current path get
// their reply after a short time and their waiters exit.
//
// Ground truth: a waiter is leaked the moment it is started with a nil
// reply channel.
//
// Sites: leak main.leakNilChannel; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate    = flag.Float64("rate", 50, "calls per second")
		legacyP = flag.Float64("legacy", 0.04, "share of calls built by the legacy path (nil reply)")
	)
	c := truth.New()
	site := c.LeakSite("main.leakNilChannel", truth.ExpectLeak)
	c.Serve(*rate, func() {
		var cl *call
		if c.Rand.Chance(*legacyP) {
			cl = newLegacyCall()
		} else {
			cl = newCall()
		}
		dispatch(c.Rand, cl, site)
	})
	c.Run()
}

type call struct {
	reply chan int
}

func newCall() *call { return &call{reply: make(chan int)} }

// newLegacyCall is the bug: it forgets to make the reply channel.
func newLegacyCall() *call { return &call{} }

// dispatch starts the waiter and answers after a log-normal time (median
// 6 ms).
func dispatch(r *truth.Rand, cl *call, s *truth.Site) {
	leakNilChannel(cl, s)
	time.Sleep(r.Lognormal(6*time.Millisecond, 0.6))
	if cl.reply != nil {
		cl.reply <- 1
	}
}

// leakNilChannel starts the goroutine that waits for the reply.
//
//go:noinline
func leakNilChannel(cl *call, s *truth.Site) {
	if cl.reply == nil {
		s.Leaked(1) // a receive from a nil channel blocks forever
	}
	go func() {
		v := <-cl.reply
		_ = v
	}()
}
