// shutdownwait: goroutines that wait for shutdown for the life of the
// process (healthy, nothing leaks).
//
//   - main.startComponent: 12 components each start a goroutine that waits
//     on the shutdown channel and then flushes and closes its component.
//   - main.watchRootContext: 6 lazily initialised clients each start a
//     goroutine that waits on the root context's Done channel; they start a
//     little later, on first use.
//   - main.serveRequest: ordinary request churn (50 a second, log-normal
//     lifetimes, median 12 ms) whose goroutines also select on shutdown.
//
// The long-lived waiters never exit before shutdown; none of them is a
// leak. They start -start-delay after `ready` so that a linger attached
// after `ready` sees them being spawned.
//
// Sites: all healthy.
package main

import (
	"context"
	"flag"
	"sync/atomic"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		delay = flag.Duration("start-delay", 3*time.Second, "when the components start, after ready")
		rate  = flag.Float64("rate", 50, "requests per second")
	)
	c := truth.New()
	c.HealthySites("main.startComponent", "main.watchRootContext", "main.serveRequest")
	root, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.After(*delay, func() {
		for i := 0; i < 12; i++ {
			startComponent(c.Done(), i)
		}
	})
	c.After(*delay+2*time.Second, func() {
		for i := 0; i < 6; i++ {
			watchRootContext(root, i)
			time.Sleep(50 * time.Millisecond)
		}
	})
	c.Pace(truth.Fixed(*rate), func() { serveRequest(c.Done(), c.Rand.Lognormal(12*time.Millisecond, 0.6)) })
	c.Run()
	cancel()
}

var flushed int64

// startComponent starts the goroutine that tears component i down at
// shutdown.
//
//go:noinline
func startComponent(shutdown <-chan struct{}, i int) {
	go func() {
		<-shutdown
		atomic.AddInt64(&flushed, int64(i))
	}()
}

// watchRootContext starts the goroutine that closes client i when the root
// context ends.
//
//go:noinline
func watchRootContext(ctx context.Context, i int) {
	go func() {
		<-ctx.Done()
		atomic.AddInt64(&flushed, int64(i))
	}()
}

// serveRequest handles one request, abandoning it at shutdown.
//
//go:noinline
func serveRequest(shutdown <-chan struct{}, d time.Duration) {
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-shutdown:
		}
	}()
}
