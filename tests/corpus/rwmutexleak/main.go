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
	"sync"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate   = flag.Float64("rate", 100, "operations per second")
		active = flag.Int("shards", 32, "shards active at a time")
		epoch  = flag.Duration("epoch", 3*time.Second, "how long a shard stays active")
		writeP = flag.Float64("write", 0.1, "share of operations that are refreshes (writers)")
		failP  = flag.Float64("fail", 0.01, "probability that a lookup loses its read lock")
	)
	c := truth.New()
	site := c.LeakSite("main.leakRWMutexNeverReleased", truth.ExpectLeak)
	cache := &shardSet{active: *active, epoch: *epoch, start: time.Now()}
	site.CountWith(cache.leaked)
	c.Pace(truth.Fixed(*rate), func() {
		write := c.Rand.Chance(*writeP)
		leakRWMutexNeverReleased(cache, cache.pick(c.Rand), write, c.Rand.Uniform(time.Millisecond, 3*time.Millisecond),
			!write && c.Rand.Chance(*failP), site)
	})
	c.Run()
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

func (c *shardSet) pick(r *truth.Rand) *shard {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := int64(time.Since(c.start) / c.epoch); e != c.cur || c.set == nil {
		c.cur = e
		c.set = make([]*shard, c.active)
		for i := range c.set {
			c.set[i] = &shard{}
		}
	}
	return c.set[r.Intn(len(c.set))]
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
func leakRWMutexNeverReleased(set *shardSet, sh *shard, write bool, hold time.Duration, fail bool, s *truth.Site) {
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
			s.Events(1)
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
			s.Events(waiting)
			return // the bug: no sh.mu.RUnlock()
		}
		_ = sh.entries
		sh.mu.RUnlock()
	}()
}
