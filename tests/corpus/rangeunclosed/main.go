// rangeunclosed: a range over a channel that nobody closes.
//
// Each import job streams its records to an aggregator goroutine that ranges
// over the channel until it is closed. The producer (the job itself) closes
// the channel when it has sent every record, but on a validation error it
// returns early without closing: the aggregator waits forever in
// `chan receive` inside its range loop.
//
// Ground truth: the aggregator is leaked the moment its producer returns
// without closing.
//
// Sites: leak main.leakRangeUnclosed; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"errors"
	"flag"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate  = flag.Float64("rate", 50, "import jobs per second")
		failP = flag.Float64("fail", 0.04, "probability that a job hits a validation error")
	)
	c := truth.New()
	site := c.LeakSite("main.leakRangeUnclosed", truth.ExpectLeak)
	c.Serve(*rate, func() { _ = leakRangeUnclosed(c.Rand, *failP, site) })
	c.Run()
}

var errInvalid = errors.New("import: invalid record")

// leakRangeUnclosed streams 5-15 records, each taking 0.2-2 ms to read, to
// an aggregator; on a validation error it returns without close(records).
//
//go:noinline
func leakRangeUnclosed(r *truth.Rand, failP float64, s *truth.Site) error {
	records := make(chan int)
	go func() {
		sum := 0
		for v := range records {
			sum += v
		}
		_ = sum
	}()
	n := 5 + r.Intn(11)
	bad := -1
	if r.Chance(failP) {
		bad = r.Intn(n)
	}
	for i := 0; i < n; i++ {
		time.Sleep(r.Uniform(200*time.Microsecond, 2*time.Millisecond))
		if i == bad {
			s.Leaked(1) // the bug: return before close(records)
			return errInvalid
		}
		records <- i
	}
	close(records)
	return nil
}
