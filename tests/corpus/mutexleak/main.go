// mutexleak: a mutex that is never released.
//
// Updates to an account run in their own goroutine and hold the account's
// mutex for 1-3 ms. One error path returns without Unlock (the unlock is not
// deferred): from then on every update to that account blocks in Lock
// forever (`sync.Mutex.Lock`, semacquire before Go 1.20). Accounts are
// active for a few seconds each (the working set rotates every -epoch), so a
// lost lock traps the updates that arrive for that account until it goes
// quiet: leaks come in small piles while most updates, to other accounts,
// finish normally at the same go statement.
//
// Ground truth: an update is leaked when the lock it waits for, or will
// wait for, is lost: at the loss for those already waiting, at their start
// for later ones. It is exact: every counter is read under the account's
// bookkeeping lock.
//
// Sites: leak main.leakMutexNeverReleased.
package main

import (
	"flag"
	"sync"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate   = flag.Float64("rate", 100, "updates per second")
		active = flag.Int("accounts", 32, "accounts active at a time")
		epoch  = flag.Duration("epoch", 3*time.Second, "how long an account stays active")
		failP  = flag.Float64("fail", 0.006, "probability that an update loses its lock")
	)
	c := truth.New()
	site := c.LeakSite("main.leakMutexNeverReleased", truth.ExpectLeak)
	book := &ledger{active: *active, epoch: *epoch, start: time.Now()}
	// ~0.6 lost locks a second, each trapping the ~4-5 updates its account
	// still gets before the working set moves on: ~2.5 leaks a second.
	c.Pace(truth.Fixed(*rate), func() {
		leakMutexNeverReleased(book.pick(c.Rand), c.Rand.Uniform(time.Millisecond, 3*time.Millisecond),
			c.Rand.Chance(*failP), site)
	})
	c.Run()
}

type account struct {
	mu sync.Mutex // the lock that gets lost

	meta     sync.Mutex // guards the bookkeeping below
	started  int        // updates that asked for mu
	acquired int        // updates that got it
	lost     bool       // mu is held by nobody and will never be unlocked
	balance  int
}

// ledger hands out the active accounts; the set is replaced every epoch.
type ledger struct {
	mu     sync.Mutex
	active int
	epoch  time.Duration
	start  time.Time
	cur    int64
	set    []*account
}

func (l *ledger) pick(r *truth.Rand) *account {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := int64(time.Since(l.start) / l.epoch); e != l.cur || l.set == nil {
		l.cur = e
		l.set = make([]*account, l.active)
		for i := range l.set {
			l.set[i] = &account{}
		}
	}
	return l.set[r.Intn(len(l.set))]
}

// leakMutexNeverReleased applies one update to a; when fail is set the
// update returns early with the lock held.
//
//go:noinline
func leakMutexNeverReleased(a *account, hold time.Duration, fail bool, s *truth.Site) {
	go func() {
		a.meta.Lock()
		a.started++
		doomed := a.lost
		a.meta.Unlock()
		if doomed {
			s.Leaked(1)
		}
		a.mu.Lock()
		a.meta.Lock()
		a.acquired++
		a.meta.Unlock()
		time.Sleep(hold)
		if fail {
			a.meta.Lock()
			a.lost = true
			waiting := a.started - a.acquired
			a.meta.Unlock()
			s.Leaked(waiting)
			return // the bug: no a.mu.Unlock()
		}
		a.balance++
		a.mu.Unlock()
	}()
}
