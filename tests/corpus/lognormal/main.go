// lognormal: log-normal goroutine lifetimes (healthy, nothing leaks).
//
//   - main.lognormalFast: 200 a second, median 20 ms, sigma_log 1.0,
//     sleeping (a typical request's work);
//   - main.lognormalSlow: 20 a second, median 300 ms, sigma_log 1.2,
//     waiting on a timer channel (a slow backend call: one in a hundred
//     takes over 4 s).
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
		fastRate = flag.Float64("fast-rate", 200, "lognormalFast spawns per second")
		slowRate = flag.Float64("slow-rate", 20, "lognormalSlow spawns per second")
	)
	c := truth.New()
	c.HealthySites("main.lognormalFast", "main.lognormalSlow")
	c.Pace(truth.Fixed(*fastRate), func() { lognormalFast(c.Rand.Lognormal(20*time.Millisecond, 1.0)) })
	c.Pace(truth.Fixed(*slowRate), func() { lognormalSlow(c.Rand.Lognormal(300*time.Millisecond, 1.2)) })
	c.Run()
}

//go:noinline
func lognormalFast(d time.Duration) {
	go func() {
		time.Sleep(d)
	}()
}

//go:noinline
func lognormalSlow(d time.Duration) {
	go func() {
		t := time.NewTimer(d)
		<-t.C
	}()
}
