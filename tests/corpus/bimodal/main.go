// bimodal: bimodal lifetimes with a slow 5% (healthy, nothing leaks).
//
//   - main.bimodalCache: 80 a second; 95% are cache hits (log-normal,
//     median 5 ms), 5% misses that go to the database (median 1 s);
//   - main.bimodalRetry: 20 a second; 95% answer in ~20 ms, 5% lose their
//     first attempt and retry after a 3 s timeout.
//
// The slow mode sits far above mean + 3 sigma of the whole site, and its
// goroutines are parked while they wait.
//
// Sites: all healthy.
package main

import (
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		cacheRate = flag.Float64("cache-rate", 80, "bimodalCache spawns per second")
		retryRate = flag.Float64("retry-rate", 20, "bimodalRetry spawns per second")
		slowP     = flag.Float64("slow", 0.05, "share of the slow mode")
	)
	c := truth.New()
	c.HealthySites("main.bimodalCache", "main.bimodalRetry", "time.goFunc")
	c.Pace(truth.Fixed(*cacheRate), func() {
		d := c.Rand.Lognormal(5*time.Millisecond, 0.3)
		if c.Rand.Chance(*slowP) {
			d = c.Rand.Lognormal(time.Second, 0.3)
		}
		bimodalCache(d)
	})
	c.Pace(truth.Fixed(*retryRate), func() {
		d := c.Rand.Lognormal(20*time.Millisecond, 0.4)
		if c.Rand.Chance(*slowP) {
			d = c.Rand.Uniform(2900*time.Millisecond, 3100*time.Millisecond) + c.Rand.Lognormal(20*time.Millisecond, 0.4)
		}
		bimodalRetry(c.Done(), d)
	})
	c.Run()
}

// bimodalCache looks up one key: the result arrives on a channel after d.
//
//go:noinline
func bimodalCache(d time.Duration) {
	res := make(chan int, 1)
	time.AfterFunc(d, func() { res <- 1 })
	go func() {
		<-res
	}()
}

// bimodalRetry waits for its call (with retries) in a select.
//
//go:noinline
func bimodalRetry(shutdown <-chan struct{}, d time.Duration) {
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-shutdown:
		}
	}()
}
