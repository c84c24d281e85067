// pareto: Pareto (power-law) lifetimes, capped (healthy, nothing leaks).
//
//   - main.paretoHeavy: 100 a second, scale 10 ms, tail index 1.5 (infinite
//     variance without the cap), capped at 10 s: one in ~3000 lives past
//     2 s. Parked in a select on a timer and shutdown.
//   - main.paretoLight: 50 a second, scale 5 ms, tail index 2.5, capped at
//     10 s. Parked in time.Sleep.
//
// Sites: all healthy.
package main

import (
	"flag"
	"math"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		heavyRate  = flag.Float64("heavy-rate", 100, "paretoHeavy spawns per second")
		heavyAlpha = flag.Float64("heavy-alpha", 1.5, "paretoHeavy tail index")
		lightRate  = flag.Float64("light-rate", 50, "paretoLight spawns per second")
		lightAlpha = flag.Float64("light-alpha", 2.5, "paretoLight tail index")
		limit      = flag.Duration("cap", 10*time.Second, "longest lifetime")
	)
	c := truth.New()
	c.HealthySites("main.paretoHeavy", "main.paretoLight")
	c.Pace(truth.Fixed(*heavyRate), func() {
		paretoHeavy(c.Done(), paretoDraw(c.Rand, 10*time.Millisecond, *heavyAlpha, *limit))
	})
	c.Pace(truth.Fixed(*lightRate), func() {
		paretoLight(paretoDraw(c.Rand, 5*time.Millisecond, *lightAlpha, *limit))
	})
	c.Run()
}

// paretoDraw draws a Pareto(xm, alpha) duration capped at limit.
func paretoDraw(r *truth.Rand, xm time.Duration, alpha float64, limit time.Duration) time.Duration {
	d := time.Duration(float64(xm) / math.Pow(1-r.Float64(), 1/alpha))
	if d > limit || d < 0 {
		d = limit
	}
	return d
}

//go:noinline
func paretoHeavy(stop <-chan struct{}, d time.Duration) {
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-stop:
		}
	}()
}

//go:noinline
func paretoLight(d time.Duration) {
	go func() {
		time.Sleep(d)
	}()
}
