// healthy is linger's false-positive target: a mix of goroutine patterns,
// some with awkward lifetime distributions, none of which leaks. A test
// attaches linger and expects no site to be reported as leak or growing.
//
// linger names a site after the function that contains the `go` statement,
// so every pattern below has its `go` statement in its own uniquely named,
// non-inlined function, called from one fixed call path (a pace loop).
//
// Stdout (one line per write, so a pipe reader sees it at once):
//
//	healthy <site-func>    at start, one per site
//	ready <pid>            once every pattern has started
//
// Diagnostics go to stderr.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	var (
		duration    = flag.Duration("duration", 10*time.Minute, "stop after this long")
		churnRate   = flag.Float64("churn-rate", 300, "healthyChurn spawns per second")
		bimodalRate = flag.Float64("bimodal-rate", 50, "healthyBimodal spawns per second")
		paretoRate  = flag.Float64("pareto-rate", 30, "healthyPareto spawns per second")
		paretoXm    = flag.Duration("pareto-xm", 5*time.Millisecond, "healthyPareto minimum lifetime (Pareto scale)")
		paretoAlpha = flag.Float64("pareto-alpha", 2.5, "healthyPareto tail index (smaller: heavier tail)")
		paretoCap   = flag.Duration("pareto-cap", 2*time.Second, "healthyPareto maximum lifetime")
		burstSize   = flag.Int("burst-size", 200, "healthyBursts goroutines per burst")
		burstEvery  = flag.Duration("burst-every", 2*time.Second, "healthyBursts period")
		workers     = flag.Int("workers", 8, "worker pool size")
		jobRate     = flag.Float64("job-rate", 200, "jobs fed to the worker pool per second")
		seed        = flag.Int64("seed", 0, "random seed (0: from the clock)")
		debug       = flag.Bool("debug", false, "print goroutine counts per creating function to stderr every second")
	)
	flag.Parse()

	rng := newLockedRand(*seed)
	shutdown := make(chan struct{})

	// Long-lived goroutines first, so they are the oldest in the process.
	jobs := make(chan job, 64)
	startWorkerPool(*workers, jobs)
	startJobFeeder(shutdown, *jobRate, jobs)
	sleepLoop(shutdown, 250*time.Millisecond)
	finished := waitForShutdown(shutdown, func() { fmt.Fprintln(os.Stderr, "healthy: shutting down") })

	go pace(shutdown, *churnRate, func() { healthyChurn(rng) })
	go pace(shutdown, *bimodalRate, func() { healthyBimodal(rng) })
	go pace(shutdown, *paretoRate, func() { healthyPareto(rng, shutdown, *paretoXm, *paretoAlpha, *paretoCap) })
	if *burstEvery > 0 {
		go pace(shutdown, 1/burstEvery.Seconds(), func() { healthyBursts(rng, *burstSize) })
	}
	if *debug {
		go debugLoop(shutdown)
	}

	for _, f := range []string{"main.healthyChurn", "main.healthyBimodal", "main.healthyPareto",
		"main.healthyBursts", "main.startWorkerPool", "main.startJobFeeder", "main.sleepLoop",
		"main.waitForShutdown", "main.main"} {
		emit("healthy %s", f)
	}
	emit("ready %d", os.Getpid())

	waitForStop(*duration)
	close(shutdown)
	select {
	case <-finished:
	case <-time.After(time.Second):
	}
}

// healthyChurn spawns one short-lived goroutine with a log-normal lifetime
// (median 20 ms, sigma_log 0.8): the bulk of a typical service's goroutines.
//
//go:noinline
func healthyChurn(r *lockedRand) {
	d := r.lognormal(20*time.Millisecond, 0.8)
	go func() {
		time.Sleep(d)
	}()
}

// healthyBimodal spawns one goroutine whose lifetime is ~5 ms 95% of the
// time and ~200 ms otherwise (a cache hit or miss). Its slow mode sits above
// mean + 3σ of the whole site, so it tests that the detector debounces on
// goroutines that stay old rather than on one refresh's snapshot.
//
//go:noinline
func healthyBimodal(r *lockedRand) {
	median := 5 * time.Millisecond
	if r.float64() < 0.05 {
		median = 200 * time.Millisecond
	}
	d := r.lognormal(median, 0.15)
	go func() {
		t := time.NewTimer(d)
		<-t.C
	}()
}

// healthyPareto spawns one goroutine with a Pareto lifetime (scale xm, tail
// index alpha) capped at max: mostly a few milliseconds, now and then a
// second or two. With the defaults (5 ms, 2.5, 2 s) a simulation of the
// detector (k = 3, 30% of live, 2 refreshes) flags it well under once an
// hour; alpha 1.5 makes that every few minutes. It waits in a select, a
// different wait reason from the other sites.
//
//go:noinline
func healthyPareto(r *lockedRand, stop <-chan struct{}, xm time.Duration, alpha float64, limit time.Duration) {
	d := time.Duration(float64(xm) / math.Pow(1-r.float64(), 1/alpha))
	if d > limit || d < 0 {
		d = limit
	}
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-stop:
		}
	}()
}

// healthyBursts spawns n goroutines at once, each living 10-50 ms: a fan-out
// whose live count jumps and falls back, which must not look like growth.
//
//go:noinline
func healthyBursts(r *lockedRand, n int) {
	for i := 0; i < n; i++ {
		d := 10*time.Millisecond + time.Duration(r.float64()*float64(40*time.Millisecond))
		go func() {
			time.Sleep(d)
		}()
	}
}

type job struct{ n int }

// startWorkerPool starts n workers that live as long as the process and
// spend most of their time parked on an empty channel: old, parked, never
// exiting, and not a leak.
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

// run burns a few microseconds so that workers really run between parks.
func (j job) run() uint32 {
	h := uint32(2166136261)
	for i := 0; i < 2000+j.n%1000; i++ {
		h = (h ^ uint32(i)) * 16777619
	}
	return h
}

// startJobFeeder starts the one goroutine that keeps the worker pool busy.
//
//go:noinline
func startJobFeeder(shutdown <-chan struct{}, rate float64, jobs chan<- job) {
	go func() {
		n := 0
		pace(shutdown, rate, func() {
			n++
			select {
			case jobs <- job{n: n}:
			case <-shutdown:
			}
		})
	}()
}

// sleepLoop starts a housekeeping goroutine that wakes every period for the
// life of the process: always parked in time.Sleep, never for long.
//
//go:noinline
func sleepLoop(stop <-chan struct{}, period time.Duration) {
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			time.Sleep(period)
		}
	}()
}

// waitForShutdown starts a goroutine that is parked for the whole life of
// the process and runs cleanup once shutdown closes; the returned channel
// closes when cleanup is done.
//
//go:noinline
func waitForShutdown(shutdown <-chan struct{}, cleanup func()) <-chan struct{} {
	finished := make(chan struct{})
	go func() {
		<-shutdown
		cleanup()
		close(finished)
	}()
	return finished
}

// ---- plumbing ----

var stdoutMu sync.Mutex

// emit writes one line to stdout. os.Stdout is unbuffered, so each line is
// a single write(2) and a reader on a pipe sees it immediately.
func emit(format string, args ...interface{}) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

// pace calls fn rate times a second until stop closes. It counts calls
// against elapsed time rather than ticks, so a slow fn or a late tick does
// not lower the rate; after a stall (say, SIGSTOP) it drops the backlog
// beyond one second instead of bursting.
func pace(stop <-chan struct{}, rate float64, fn func()) {
	if rate <= 0 {
		return
	}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	start := time.Now()
	var done int64
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			due := int64(rate * now.Sub(start).Seconds())
			if due-done > int64(rate)+1 {
				done = due - int64(rate) - 1
			}
			for ; done < due; done++ {
				fn()
			}
		}
	}
}

// waitForStop returns after d, or at SIGINT/SIGTERM.
func waitForStop(d time.Duration) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-sig:
	case <-t.C:
	}
}

// lockedRand is a goroutine-safe random source whose seeding does not depend
// on the Go version (the global source is seeded differently since 1.20).
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed int64) *lockedRand {
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	return &lockedRand{r: rand.New(rand.NewSource(seed))}
}

func (l *lockedRand) float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

// lognormal draws a duration whose logarithm is normal with the given median
// and standard deviation.
func (l *lockedRand) lognormal(median time.Duration, sigma float64) time.Duration {
	l.mu.Lock()
	z := l.r.NormFloat64()
	l.mu.Unlock()
	return time.Duration(float64(median) * math.Exp(sigma*z))
}

// debugLoop prints, every second, the number of live goroutines per function
// that created them: with the truth lines this checks that a leak site's
// live count minus its leaked count stays small. It stops the world to
// collect stacks, so it is off by default.
func debugLoop(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	buf := make([]byte, 1<<20)
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		n := runtime.Stack(buf, true)
		for n == len(buf) {
			buf = make([]byte, 2*len(buf))
			n = runtime.Stack(buf, true)
		}
		counts := map[string]int{}
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			// "created by main.f" (Go <1.21) or "created by main.f in goroutine 7".
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "created" && f[1] == "by" {
				counts[f[2]]++
			}
		}
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		fmt.Fprintf(&b, "debug %d goroutines=%d", time.Now().UnixMilli(), runtime.NumGoroutine())
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%d", k, counts[k])
		}
		fmt.Fprintln(os.Stderr, b.String())
	}
}
