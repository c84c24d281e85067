// fullbuffer: a producer stuck on a full buffered channel.
//
// Each request starts a producer that streams 8-16 pages (0.3-1.5 ms each)
// into a results channel buffered for 4. The request consumes pages until
// the producer closes the channel, but on a bad page it returns early and
// stops reading. When more pages remain than the buffer holds, the producer
// blocks in `chan send` forever; when they fit, it finishes and exits.
//
// Ground truth: the producer is leaked the moment its consumer stops, if
// the pages still to come exceed the buffer.
//
// Sites: leak main.leakFullBuffer; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"errors"
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

const bufferPages = 4

func main() {
	var (
		rate  = flag.Float64("rate", 50, "requests per second")
		failP = flag.Float64("fail", 0.05, "probability that a request stops reading early")
	)
	c := truth.New()
	site := c.LeakSite("main.leakFullBuffer", truth.ExpectLeak)
	c.Serve(*rate, func() { _ = leakFullBuffer(c.Rand, *failP, site) })
	c.Run()
}

var errBadPage = errors.New("consumer: bad page")

// leakFullBuffer starts the producer and consumes its pages; with
// probability failP it gives up at a random page.
//
//go:noinline
func leakFullBuffer(r *truth.Rand, failP float64, s *truth.Site) error {
	n := 8 + r.Intn(9)
	pauses := make([]time.Duration, n)
	for i := range pauses {
		pauses[i] = r.Uniform(300*time.Microsecond, 1500*time.Microsecond)
	}
	pages := make(chan int, bufferPages)
	go func() {
		for i := 0; i < n; i++ {
			time.Sleep(pauses[i])
			pages <- i
		}
		close(pages)
	}()
	bad := -1
	if r.Chance(failP) {
		bad = r.Intn(n)
	}
	got := 0
	for p := range pages {
		got++
		if p == bad {
			if n-got > bufferPages {
				s.Leaked(1) // the producer will fill the buffer and block
			}
			return errBadPage // the bug: nobody drains pages
		}
	}
	return nil
}
