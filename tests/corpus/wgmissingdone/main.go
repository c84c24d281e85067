// wgmissingdone: WaitGroup.Wait with a missing Done.
//
// Each request fans out 3-6 part fetches, and a closer goroutine waits on
// the WaitGroup to close the request's done channel. A part fetch that hits
// an error returns without wg.Done() (the Done is not deferred), so the
// closer waits in `sync.WaitGroup.Wait` (semacquire before Go 1.20) forever.
// The request itself gives up after a deadline and returns; the part
// fetchers all exit.
//
// Ground truth: the closer is leaked the moment a fetcher of its group
// returns without Done (counted once per group).
//
// Sites: leak main.leakWaitGroupWait; healthy main.fetchPart and the
// request goroutines of truth.Serve.
package main

import (
	"flag"
	"sync"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate  = flag.Float64("rate", 40, "requests per second")
		failP = flag.Float64("fail", 0.01, "probability that one part fetch skips Done")
	)
	c := truth.New()
	site := c.LeakSite("main.leakWaitGroupWait", truth.ExpectLeak)
	c.HealthySites("main.fetchPart")
	// ~4.5 parts a request, 1% each: ~1.8 leaks a second at 40 requests.
	c.Serve(*rate, func() { leakWaitGroupWait(c.Rand, *failP, site) })
	c.Run()
}

// group is one request's fan-out; broken is set once a fetcher skipped Done.
type group struct {
	wg     sync.WaitGroup
	mu     sync.Mutex
	broken bool
}

// leakWaitGroupWait fans out and starts the closer goroutine, then waits
// for done at most 250 ms.
//
//go:noinline
func leakWaitGroupWait(r *truth.Rand, failP float64, s *truth.Site) {
	g := &group{}
	n := 3 + r.Intn(4)
	g.wg.Add(n)
	for i := 0; i < n; i++ {
		fetchPart(g, r.Lognormal(5*time.Millisecond, 0.5), r.Chance(failP), s)
	}
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(250 * time.Millisecond)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// fetchPart fetches one part in its own goroutine; on error it returns
// before wg.Done().
//
//go:noinline
func fetchPart(g *group, d time.Duration, fail bool, s *truth.Site) {
	go func() {
		time.Sleep(d)
		if fail {
			g.mu.Lock()
			first := !g.broken
			g.broken = true
			g.mu.Unlock()
			if first {
				s.Leaked(1) // this group's closer can never return
			}
			return // the bug: no g.wg.Done()
		}
		g.wg.Done()
	}()
}
