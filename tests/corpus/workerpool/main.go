// workerpool: long-lived worker pools (healthy, nothing leaks).
//
//   - main.startWorkerPool: a fixed pool of -workers goroutines that live as
//     long as the process, parked on an empty jobs channel between jobs,
//     fed by one dispatcher goroutine (main.startDispatcher).
//   - main.startPoolGeneration: a second pool that is rebuilt on every
//     config reload (-reload): the dispatcher closes the old generation's
//     channel, its workers drain it and exit, and a fresh generation starts.
//     Its exited lifetimes are all about one reload period long, and the
//     live generation is never older than that.
//
// Goroutines that exist before linger attaches are invisible to its spawn
// probes for now, so the pools start -start-delay after `ready`.
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
		delay   = flag.Duration("start-delay", 3*time.Second, "when the pools start, after ready")
		workers = flag.Int("workers", 16, "fixed pool size")
		genSize = flag.Int("generation", 8, "reloadable pool size")
		reload  = flag.Duration("reload", 10*time.Second, "config reload period")
		jobRate = flag.Float64("job-rate", 300, "jobs per second, per pool")
	)
	c := truth.New()
	c.HealthySites("main.startWorkerPool", "main.startDispatcher", "main.startPoolGeneration")
	c.After(*delay, func() {
		fixedJobs := make(chan job, 64)
		startWorkerPool(*workers, fixedJobs)
		startDispatcher(c, *jobRate, fixedJobs, *genSize, *reload)
	})
	c.Run()
}

type job struct{ n int }

// run burns a few microseconds so that workers really run between parks.
func (j job) run() uint32 {
	h := uint32(2166136261)
	for i := 0; i < 2000+j.n%1000; i++ {
		h = (h ^ uint32(i)) * 16777619
	}
	return h
}

// startWorkerPool starts n workers that live as long as the process.
//
//go:noinline
func startWorkerPool(n int, jobs <-chan job) {
	for i := 0; i < n; i++ {
		go func() {
			for j := range jobs {
				j.run()
			}
		}()
	}
}

// startPoolGeneration starts one generation of the reloadable pool; it
// lives until jobs is closed.
//
//go:noinline
func startPoolGeneration(n int, jobs <-chan job) {
	for i := 0; i < n; i++ {
		go func() {
			for j := range jobs {
				j.run()
			}
		}()
	}
}

// startDispatcher starts the goroutine that feeds both pools and rebuilds
// the reloadable one every reload period.
//
//go:noinline
func startDispatcher(c *truth.Corpus, rate float64, fixedJobs chan<- job, genSize int, reload time.Duration) {
	go func() {
		gen := make(chan job, 64)
		startPoolGeneration(genSize, gen)
		reloaded := time.Now()
		n := 0
		truth.PaceUntil(c.Done(), truth.Fixed(rate), func() {
			if time.Since(reloaded) >= reload {
				close(gen)
				gen = make(chan job, 64)
				startPoolGeneration(genSize, gen)
				reloaded = time.Now()
			}
			n++
			select {
			case fixedJobs <- job{n: n}:
			case <-c.Done():
			}
			select {
			case gen <- job{n: n}:
			case <-c.Done():
			}
		})
		close(gen)
	}()
}
