// poolabandon: a worker pool abandoned on error.
//
// Each batch starts 4 workers that read jobs from an unbuffered jobs
// channel and send results on an unbuffered results channel; the batch
// feeds the jobs, collects the results and closes jobs at the end, and the
// workers exit. When a result carries an error the batch returns at once,
// without closing jobs and without draining results: every worker of that
// pool is stuck forever, either in `chan send` on results or in
// `chan receive` on jobs.
//
// Ground truth: all the workers of a batch are leaked the moment it
// returns on an error.
//
// Sites: leak main.leakAbandonedPool; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"errors"
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

const poolWorkers = 4

func main() {
	var (
		rate  = flag.Float64("rate", 12, "batches per second")
		failP = flag.Float64("fail", 0.004, "probability that one job fails")
	)
	c := truth.New()
	site := c.LeakSite("main.leakAbandonedPool", truth.ExpectLeak)
	// 10 jobs a batch, 0.4% each: ~4% of batches fail, ~0.5 a second,
	// leaking 4 workers each: ~2 leaks a second.
	c.Serve(*rate, func() { _ = runBatch(c.Rand, *failP, site) })
	c.Run()
}

type job struct {
	d    time.Duration
	fail bool
}

type result struct{ err error }

var errJob = errors.New("job failed")

// runBatch runs 10 jobs (0.5-3 ms each) on a fresh pool.
func runBatch(r *truth.Rand, failP float64, s *truth.Site) error {
	pending := make([]job, 10)
	for i := range pending {
		pending[i] = job{d: r.Uniform(500*time.Microsecond, 3*time.Millisecond), fail: r.Chance(failP)}
	}
	jobs := make(chan job)
	results := make(chan result)
	leakAbandonedPool(jobs, results)
	inflight := 0
	for len(pending) > 0 || inflight > 0 {
		var feed chan job
		var next job
		if len(pending) > 0 {
			feed, next = jobs, pending[0]
		}
		select {
		case feed <- next:
			pending = pending[1:]
			inflight++
		case res := <-results:
			inflight--
			if res.err != nil {
				s.Leaked(poolWorkers) // the bug: no close(jobs), nobody reads results
				return res.err
			}
		}
	}
	close(jobs)
	return nil
}

// leakAbandonedPool starts the batch's workers.
//
//go:noinline
func leakAbandonedPool(jobs <-chan job, results chan<- result) {
	for i := 0; i < poolWorkers; i++ {
		go func() {
			for j := range jobs {
				time.Sleep(j.d)
				var err error
				if j.fail {
					err = errJob
				}
				results <- result{err: err}
			}
		}()
	}
}
