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
// Sites: leak main.leakContextNoCancel; healthy: the request
// goroutines of truth.Serve.
package main

import (
	"context"
	"errors"
	"flag"
	"sync/atomic"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate  = flag.Float64("rate", 50, "requests per second")
		failP = flag.Float64("fail", 0.04, "probability of the error path that forgets cancel")
	)
	c := truth.New()
	site := c.LeakSite("main.leakContextNoCancel", truth.ExpectLeak)
	root := context.Background()
	c.Serve(*rate, func() { _ = leakContextNoCancel(root, c.Rand, *failP, site) })
	c.Run()
}

var errAuth = errors.New("request: unauthorized")

var released int64

// leakContextNoCancel starts a watcher on a fresh context, works for a
// log-normal time (median 10 ms) and cancels, except on its error path.
//
//go:noinline
func leakContextNoCancel(parent context.Context, r *truth.Rand, failP float64, s *truth.Site) error {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-ctx.Done()
		atomic.AddInt64(&released, 1) // release the request's resources
	}()
	time.Sleep(r.Lognormal(10*time.Millisecond, 0.6))
	if r.Chance(failP) {
		s.Leaked(1) // the bug: returns without cancel()
		return errAuth
	}
	cancel()
	return nil
}
