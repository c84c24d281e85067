// ctxnevercancel: a context that is never cancelled.
//
// Each request derives a cancellable context and starts a watcher goroutine
// that waits on ctx.Done() to release the request's resources. The request
// calls cancel() at its end, except on one early-return error path that
// forgot it (no defer cancel()): that watcher waits in `chan receive` on
// ctx.Done() forever. The parent context is the process's background
// context, so nothing else will ever cancel it.
//
// Ground truth: the watcher is leaked the moment its request returns
// without cancelling.
//
// go vet reports this leak (lostcancel): that is the point.
//
// Sites: leak main.leakContextNoCancel; healthy main.serveRequest.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var (
		duration = flag.Duration("duration", 2*time.Minute, "stop after this long")
		seed     = flag.Int64("seed", 0, "random seed (0: from the clock)")
		rate     = flag.Float64("rate", 50, "requests per second")
		failP    = flag.Float64("fail", 0.04, "probability of the error path that forgets cancel")
	)
	flag.Parse()
	c := newCorpus(*seed)
	site := c.leakSite("main.leakContextNoCancel", "leak")
	c.healthySites("main.main", "main.(*corpus).run", "main.serveRequest")
	root := context.Background()
	go pace(c.shutdown, fixed(*rate), func() {
		serveRequest(func() { _ = leakContextNoCancel(root, c.rng, *failP, site) })
	})
	c.run(*duration)
}

// serveRequest runs one request in its own goroutine.
//
//go:noinline
func serveRequest(handle func()) {
	go func() {
		handle()
	}()
}

var errAuth = errors.New("request: unauthorized")

var released int64

// leakContextNoCancel starts a watcher on a fresh context, works for a
// log-normal time (median 10 ms) and cancels, except on its error path.
//
//go:noinline
func leakContextNoCancel(parent context.Context, r *lockedRand, failP float64, s *leakSite) error {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-ctx.Done()
		atomic.AddInt64(&released, 1) // release the request's resources
	}()
	time.Sleep(r.lognormal(10*time.Millisecond, 0.6))
	if r.chance(failP) {
		s.leaked(1) // the bug: returns without cancel()
		return errAuth
	}
	cancel()
	return nil
}

// ---- corpus plumbing: the same in every tests/corpus program ----

// corpus is what every program shares: a random source, the shutdown
// channel, and its sites with their ground truth.
type corpus struct {
	rng      *lockedRand
	shutdown chan struct{}
	healthy  []string
	leaks    []*leakSite
}

func newCorpus(seed int64) *corpus {
	return &corpus{rng: newLockedRand(seed), shutdown: make(chan struct{})}
}

// healthySites names sites that never leak.
func (c *corpus) healthySites(funcs ...string) {
	c.healthy = append(c.healthy, funcs...)
}

// leakSite declares a site that leaks; expect is "leak" (most of its
// goroutines exit, some stay) or "growing" (none exits).
func (c *corpus) leakSite(name, expect string) *leakSite {
	s := &leakSite{name: name, expect: expect}
	c.leaks = append(c.leaks, s)
	return s
}

// leakSite is the ground truth of one leaking go statement.
type leakSite struct {
	n      int64 // atomic: goroutines stuck forever; first for 64-bit alignment
	name   string
	expect string
	// count, when set, computes the truth instead of n (sites where the
	// number of stuck goroutines is only known from lock counters).
	count func() int64
}

// leaked records k goroutines that just became stuck forever: it adds them
// to the truth and prints one `leak <unix-ms> <func>` line each.
func (s *leakSite) leaked(k int) {
	if k <= 0 {
		return
	}
	atomic.AddInt64(&s.n, int64(k))
	s.events(k)
}

// events prints k `leak` lines without touching the count.
func (s *leakSite) events(k int) {
	ms := nowMs()
	for i := 0; i < k; i++ {
		emit("leak %d %s", ms, s.name)
	}
}

func (s *leakSite) total() int64 {
	if s.count != nil {
		return s.count()
	}
	return atomic.LoadInt64(&s.n)
}

func (c *corpus) printTruth() {
	ms := nowMs()
	for _, s := range c.leaks {
		emit("truth %d %s %d", ms, s.name, s.total())
	}
}

// run announces the sites, prints `ready`, prints the truth every second
// until duration has passed or SIGINT/SIGTERM arrives, then closes shutdown
// and prints the truth once more.
func (c *corpus) run(duration time.Duration) {
	for _, f := range c.healthy {
		emit("healthy %s", f)
	}
	for _, s := range c.leaks {
		emit("expect %s %s", s.name, s.expect)
	}
	emit("ready %d", os.Getpid())
	c.printTruth()
	if len(c.leaks) > 0 {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-c.shutdown:
					return
				case <-t.C:
					c.printTruth()
				}
			}
		}()
	}
	waitForStop(duration)
	close(c.shutdown)
	c.printTruth()
}

// after calls fn once, d from now, in its own goroutine, unless shutdown
// comes first.
func (c *corpus) after(d time.Duration, fn func()) {
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-c.shutdown:
		case <-t.C:
			fn()
		}
	}()
}

var stdoutMu sync.Mutex

// emit writes one line to stdout. os.Stdout is unbuffered, so each line is
// a single write(2) and a reader on a pipe sees it at once.
func emit(format string, args ...interface{}) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

func nowMs() int64 { return time.Now().UnixNano() / int64(time.Millisecond) }

// pace calls fn rate times a second until stop closes. It counts calls
// against elapsed time rather than ticks, so a slow fn or a late tick does
// not lower the rate; after a stall it drops the backlog beyond one second
// instead of bursting. rate may change between ticks (bursty load).
func pace(stop <-chan struct{}, rate func() float64, fn func()) {
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

// fixed is a constant rate for pace.
func fixed(r float64) func() float64 { return func() float64 { return r } }

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

func (l *lockedRand) intn(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Intn(n)
}

// chance is true with probability p.
func (l *lockedRand) chance(p float64) bool { return l.float64() < p }

// lognormal draws a duration whose logarithm is normal with the given median
// and standard deviation.
func (l *lockedRand) lognormal(median time.Duration, sigma float64) time.Duration {
	l.mu.Lock()
	z := l.r.NormFloat64()
	l.mu.Unlock()
	return time.Duration(float64(median) * math.Exp(sigma*z))
}

// uniform draws a duration in [lo, hi).
func (l *lockedRand) uniform(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(l.float64()*float64(hi-lo))
}
