// sleeploop: time.Sleep loops (healthy, nothing leaks).
//
//   - main.startPoller: 6 pollers that live as long as the process, each
//     sleeping its period (100 ms to 2 s) between polls; they start
//     -start-delay after `ready` so that linger sees them spawned.
//   - main.retryWithBackoff: 30 a second; each tries up to 6 times, with
//     exponential backoff (10 ms doubling, jittered) slept between
//     attempts; each attempt succeeds with probability 0.6.
//
// Sites: all healthy.
package main

import (
	"flag"
	"sync/atomic"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		delay = flag.Duration("start-delay", 3*time.Second, "when the pollers start, after ready")
		rate  = flag.Float64("rate", 30, "retryWithBackoff spawns per second")
	)
	c := truth.New()
	c.HealthySites("main.startPoller", "main.retryWithBackoff")
	c.After(*delay, func() {
		for _, p := range []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
			time.Second, 1500 * time.Millisecond, 2 * time.Second} {
			startPoller(c.Done(), p)
		}
	})
	c.Pace(truth.Fixed(*rate), func() { retryWithBackoff(c.Rand) })
	c.Run()
}

var polls int64

// startPoller starts one poller that sleeps period between polls until
// shutdown.
//
//go:noinline
func startPoller(stop <-chan struct{}, period time.Duration) {
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			time.Sleep(period)
			atomic.AddInt64(&polls, 1)
		}
	}()
}

// retryWithBackoff starts one call with retries.
//
//go:noinline
func retryWithBackoff(r *truth.Rand) {
	go func() {
		backoff := 10 * time.Millisecond
		for attempt := 0; attempt < 6; attempt++ {
			time.Sleep(r.Uniform(time.Millisecond, 3*time.Millisecond)) // the attempt
			if r.Chance(0.6) {
				return
			}
			time.Sleep(backoff/2 + r.Uniform(0, backoff))
			backoff *= 2
		}
	}()
}
