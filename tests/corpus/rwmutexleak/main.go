// rwmutexleak: an RWMutex read lock that is never released.
//
// Lookups (90%) take a cache shard's read lock for 1-3 ms; refreshes (10%)
// take its write lock. One lookup error path returns without RUnlock. The
// shard still serves readers until the next refresh: that writer blocks in
// Lock forever behind the lost read lock (`sync.RWMutex.Lock`), and from
// then on every reader blocks behind the waiting writer
// (`sync.RWMutex.RLock`; both are semacquire before Go 1.20). Shards are
// active for a few seconds each (-epoch), so the damage comes in small piles
// while most operations, on other shards, finish at the same go statement.
//
// Ground truth: a shard is dead once a writer waits behind a lost read lock;
// its leaked goroutines are those that asked for the lock and never got it
// (started - acquired), read under the shard's bookkeeping lock. A reader
// racing the writer's Lock call can count for a moment before it gets its
// read lock, so the count may run one high for an instant. `leak` lines are
// printed when a shard dies (for those waiting) and for each goroutine that
// starts on a dead shard.
//
// Sites: leak main.leakRWMutexNeverReleased.
package main

import (
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
		rate     = flag.Float64("rate", 100, "operations per second")
		active   = flag.Int("shards", 32, "shards active at a time")
		epoch    = flag.Duration("epoch", 3*time.Second, "how long a shard stays active")
		writeP   = flag.Float64("write", 0.1, "share of operations that are refreshes (writers)")
		failP    = flag.Float64("fail", 0.01, "probability that a lookup loses its read lock")
	)
	flag.Parse()
	c := newCorpus(*seed)
	site := c.leakSite("main.leakRWMutexNeverReleased", "leak")
	c.healthySites("main.main", "main.(*corpus).run")
	cache := &shardSet{active: *active, epoch: *epoch, start: time.Now()}
	site.count = cache.leaked
	go pace(c.shutdown, fixed(*rate), func() {
		write := c.rng.chance(*writeP)
		leakRWMutexNeverReleased(cache, cache.pick(c.rng), write, c.rng.uniform(time.Millisecond, 3*time.Millisecond),
			!write && c.rng.chance(*failP), site)
	})
	c.run(*duration)
}

type shard struct {
	mu sync.RWMutex // the lock whose read side gets lost

	meta     sync.Mutex // guards the bookkeeping below
	started  int        // operations that asked for mu
	acquired int        // operations that got it
	writers  int        // writers waiting for mu
	lostRead bool       // a reader returned holding its read lock
	dead     bool       // a writer waits behind the lost read lock
	entries  int
}

// shardSet hands out the active shards; the set is replaced every epoch.
type shardSet struct {
	mu     sync.Mutex
	active int
	epoch  time.Duration
	start  time.Time
	cur    int64
	set    []*shard
	dead   []*shard
}

func (c *shardSet) pick(r *lockedRand) *shard {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := int64(time.Since(c.start) / c.epoch); e != c.cur || c.set == nil {
		c.cur = e
		c.set = make([]*shard, c.active)
		for i := range c.set {
			c.set[i] = &shard{}
		}
	}
	return c.set[r.intn(len(c.set))]
}

func (c *shardSet) markDead(sh *shard) {
	c.mu.Lock()
	c.dead = append(c.dead, sh)
	c.mu.Unlock()
}

// leaked is the ground truth: goroutines waiting on dead shards.
func (c *shardSet) leaked() int64 {
	c.mu.Lock()
	dead := append([]*shard(nil), c.dead...)
	c.mu.Unlock()
	var n int64
	for _, sh := range dead {
		sh.meta.Lock()
		n += int64(sh.started - sh.acquired)
		sh.meta.Unlock()
	}
	return n
}

// leakRWMutexNeverReleased runs one lookup or refresh on sh; a failing
// lookup returns early holding its read lock.
//
//go:noinline
func leakRWMutexNeverReleased(set *shardSet, sh *shard, write bool, hold time.Duration, fail bool, s *leakSite) {
	go func() {
		sh.meta.Lock()
		sh.started++
		doomed := sh.dead
		if write {
			sh.writers++
			if sh.lostRead && !sh.dead {
				sh.dead, doomed = true, true
				set.markDead(sh)
			}
		}
		sh.meta.Unlock()
		if doomed {
			s.events(1)
		}
		if write {
			sh.mu.Lock()
			sh.meta.Lock()
			sh.acquired++
			sh.writers--
			sh.meta.Unlock()
			time.Sleep(hold)
			sh.entries++
			sh.mu.Unlock()
			return
		}
		sh.mu.RLock()
		sh.meta.Lock()
		sh.acquired++
		sh.meta.Unlock()
		time.Sleep(hold)
		if fail {
			sh.meta.Lock()
			sh.lostRead = true
			waiting := 0
			if sh.writers > 0 && !sh.dead {
				// A writer was already waiting for this reader: it and
				// everything queued behind it are stuck now.
				sh.dead = true
				set.markDead(sh)
				waiting = sh.started - sh.acquired
			}
			sh.meta.Unlock()
			s.events(waiting)
			return // the bug: no sh.mu.RUnlock()
		}
		_ = sh.entries
		sh.mu.RUnlock()
	}()
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
