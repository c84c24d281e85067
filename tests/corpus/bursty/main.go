// bursty: bursty spawn rates (healthy, nothing leaks).
//
//   - main.burstFanout: every 1-4 s a scatter-gather fans out 200-800
//     goroutines at once, each living 10-150 ms, and gathers their results;
//     the live count jumps by hundreds and falls back.
//   - main.burstOnOff: a load that alternates every 5 s between 300 and 10
//     spawns a second (log-normal lifetimes, median 30 ms).
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
		high   = flag.Float64("high", 300, "burstOnOff rate when on")
		low    = flag.Float64("low", 10, "burstOnOff rate when off")
		period = flag.Duration("period", 5*time.Second, "burstOnOff half period")
	)
	c := truth.New()
	c.HealthySites("main.main", "main.burstFanout", "main.burstOnOff")
	go func() {
		for {
			t := time.NewTimer(c.Rand.Uniform(time.Second, 4*time.Second))
			select {
			case <-c.Done():
				t.Stop()
				return
			case <-t.C:
			}
			burstFanout(c.Rand, 200+c.Rand.Intn(601))
		}
	}()
	start := time.Now()
	onOff := func() float64 {
		if int64(time.Since(start)/(*period))%2 == 0 {
			return *high
		}
		return *low
	}
	c.Pace(onOff, func() { burstOnOff(c.Rand.Lognormal(30*time.Millisecond, 0.5)) })
	c.Run()
}

// burstFanout scatters n lookups and gathers their results.
//
//go:noinline
func burstFanout(r *truth.Rand, n int) int {
	results := make(chan int, n)
	for i := 0; i < n; i++ {
		d := r.Uniform(10*time.Millisecond, 150*time.Millisecond)
		go func() {
			time.Sleep(d)
			results <- 1
		}()
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-results
	}
	return sum
}

//go:noinline
func burstOnOff(d time.Duration) {
	go func() {
		time.Sleep(d)
	}()
}
