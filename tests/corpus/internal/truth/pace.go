package truth

import "time"

// PaceUntil calls fn rate() times a second until stop closes. It counts
// calls against elapsed time rather than ticks, so a slow fn or a late tick
// does not lower the rate; after a stall it drops the backlog beyond one
// second instead of bursting. rate is asked again at every tick, so it may
// change (bursty load).
func PaceUntil(stop <-chan struct{}, rate func() float64, fn func()) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	due := 0.0
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			r := rate()
			due += r * now.Sub(last).Seconds()
			last = now
			if due > r+1 {
				due = r + 1
			}
			for ; due >= 1; due-- {
				fn()
			}
		}
	}
}

// Fixed is a constant rate for Pace and PaceUntil.
func Fixed(r float64) func() float64 { return func() float64 { return r } }

// Pace starts a goroutine that calls fn rate() times a second (PaceUntil)
// until shutdown.
//
//go:noinline
func (c *Corpus) Pace(rate func() float64, fn func()) {
	c.own("(*Corpus).Pace")
	go PaceUntil(c.shutdown, rate, fn)
}

// Serve runs handle rate times a second until shutdown, each call in its
// own goroutine, as a server runs its requests.
func (c *Corpus) Serve(rate float64, handle func()) {
	c.own("serveRequest")
	c.Pace(Fixed(rate), func() { serveRequest(handle) })
}

// serveRequest runs one request in its own goroutine.
//
//go:noinline
func serveRequest(handle func()) {
	go handle()
}
