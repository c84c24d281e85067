// selectnoexit: a select with no way out.
//
// Every session starts a relay goroutine that selects over the session's
// event channel and its ended channel. After a refactor nothing sends
// events and nothing closes ended any more, so every relay ever started is
// stuck in `select` forever and none exits: linger has no lifetimes for
// this go statement and can only call it `growing`.
//
// Ground truth: every relay is leaked the moment it is started.
//
// Sites: growing main.leakSelectNoExit; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate    = flag.Float64("rate", 2, "sessions opened per second")
		reqRate = flag.Float64("req-rate", 80, "healthy requests per second")
	)
	c := truth.New()
	site := c.LeakSite("main.leakSelectNoExit", truth.ExpectGrowing)
	c.Pace(truth.Fixed(*rate), func() { leakSelectNoExit(newSession(), site) })
	// Ordinary request churn next to the leak (log-normal, median 15 ms).
	c.Serve(*reqRate, func() { time.Sleep(c.Rand.Lognormal(15*time.Millisecond, 0.7)) })
	c.Run()
}

type session struct {
	events chan string
	ended  chan struct{}
}

func newSession() *session {
	return &session{events: make(chan string), ended: make(chan struct{})}
}

// leakSelectNoExit starts the session's relay.
//
//go:noinline
func leakSelectNoExit(sess *session, s *truth.Site) {
	s.Leaked(1) // nothing will ever send on events or close ended
	go func() {
		for {
			select {
			case ev := <-sess.events:
				_ = ev
			case <-sess.ended:
				return
			}
		}
	}()
}
