// mixed is linger's main integration target: healthy goroutine churn and
// long-lived goroutines run side by side with three known leaks, and the
// program prints its own ground truth so a test can compare linger's verdicts
// with what really leaked.
//
// linger names a site after the function that contains the `go` statement,
// so every pattern below has its `go` statement in its own uniquely named,
// non-inlined function, and that function is called from one fixed call path
// (a pace loop) so that each site is also a single creation stack.
//
// Stdout (one line per write, so a pipe reader sees it at once):
//
//	healthy <site-func>                       at start, one per healthy site
//	expect <site-func> <leak|growing>         at start, one per leak site
//	ready <pid>                               once every pattern has started
//	truth <unix-ms> <site-func> <leaked>      every second, one per leak site
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
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var (
		duration    = flag.Duration("duration", 10*time.Minute, "stop after this long")
		churnRate   = flag.Float64("churn-rate", 300, "healthyChurn spawns per second")
		bimodalRate = flag.Float64("bimodal-rate", 50, "healthyBimodal spawns per second")
		workers     = flag.Int("workers", 8, "worker pool size")
		jobRate     = flag.Float64("job-rate", 200, "jobs fed to the worker pool per second")
		reqRate     = flag.Float64("timeout-rate", 40, "leakTimeout requests per second")
		reqTimeout  = flag.Duration("timeout", 15*time.Millisecond, "leakTimeout request deadline")
		recvRate    = flag.Float64("receiver-rate", 2, "leakForgottenReceiver spawns per second")
		lockRate    = flag.Float64("locker-rate", 5, "leakLockedMutex spawns per second")
		lockLoss    = flag.Duration("lock-loss-after", 3*time.Second, "when the mutex is locked for good")
		seed        = flag.Int64("seed", 0, "random seed (0: from the clock)")
		debug       = flag.Bool("debug", false, "print goroutine counts per creating function to stderr every second")
		cpuProfile  = flag.String("cpuprofile", "", "write a CPU profile here until exit (a PGO profile for the version matrix)")
		gcEvery     = flag.Duration("gc-every", 0, "force a garbage collection this often (0: only the runtime's own, rare on this small heap)")
		pingPong    = flag.Bool("pingpong", false, "also bounce a value between two goroutines as fast as they can (makes channel code hot in a profile)")
	)
	flag.Parse()
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer stop()
	}
	cgoMarker()

	rng := newLockedRand(*seed)
	shutdown := make(chan struct{})
	timeoutSite := &counterSite{name: "main.leakTimeout", expect: "leak"}
	receiverSite := &counterSite{name: "main.leakForgottenReceiver", expect: "growing"}
	lockSite := &mutexSite{name: "main.leakLockedMutex", expect: "leak"}
	leaks := []leakSite{timeoutSite, receiverSite, lockSite}

	// Long-lived goroutines first, so they are the oldest in the process.
	jobs := make(chan job, 64)
	startWorkerPool(*workers, jobs)
	startJobFeeder(shutdown, *jobRate, jobs)
	finished := waitForShutdown(shutdown, func() { printTruth(leaks) })

	go pace(shutdown, *churnRate, func() { healthyChurn(rng) })
	go pace(shutdown, *bimodalRate, func() { healthyBimodal(rng) })
	go pace(shutdown, *reqRate, func() { leakTimeout(rng, *reqTimeout, timeoutSite) })
	go pace(shutdown, *recvRate, func() { leakForgottenReceiver(receiverSite) })
	lockStart := time.Now()
	go pace(shutdown, *lockRate, func() {
		if !lockSite.isLost() && time.Since(lockStart) >= *lockLoss {
			loseLock(lockSite)
		}
		leakLockedMutex(rng, lockSite)
	})

	for _, f := range []string{"main.healthyChurn", "main.healthyBimodal", "main.startWorkerPool",
		"main.startJobFeeder", "main.waitForShutdown", "main.main"} {
		emit("healthy %s", f)
	}
	for _, s := range leaks {
		emit("expect %s %s", s.site(), s.verdict())
	}
	emit("ready %d", os.Getpid())
	printTruth(leaks)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var gcTick <-chan time.Time // nil: never
		if *gcEvery > 0 {
			gc := time.NewTicker(*gcEvery)
			defer gc.Stop()
			gcTick = gc.C
		}
		for {
			select {
			case <-shutdown:
				return
			case <-t.C:
				printTruth(leaks)
			case <-gcTick:
				runtime.GC()
			}
		}
	}()
	if *debug {
		go debugLoop(shutdown)
	}
	if *pingPong {
		startPingPong(shutdown)
	}

	waitForStop(*duration)
	close(shutdown)
	select {
	case <-finished:
	case <-time.After(time.Second):
	}
}

// ---- healthy patterns ----

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

// ---- leaks ----

// leakTimeout serves one request: the work runs in its own goroutine so the
// caller can give up after a deadline. The result channel is unbuffered, so
// once the caller has given up nobody will ever receive, and the worker
// blocks in its send forever. Work takes a log-normal time (median 6 ms,
// sigma_log 0.6): about 6% of requests miss a 15 ms deadline, so the site
// has plenty of exits for its statistics and leaks ~2.5 goroutines a second
// at 40 requests a second.
//
//go:noinline
func leakTimeout(r *lockedRand, timeout time.Duration, s *counterSite) {
	ch := make(chan int)
	d := r.lognormal(6*time.Millisecond, 0.6)
	go func() {
		ch <- work(d)
	}()
	select {
	case <-ch:
	case <-time.After(timeout):
		// Whatever the worker does now, its send can never complete.
		s.add(1)
	}
}

func work(d time.Duration) int {
	time.Sleep(d)
	return int(d)
}

// leakForgottenReceiver starts a goroutine waiting for a result that no code
// path will ever send (say, the producer was skipped on an error path). Every
// goroutine of this site leaks and none exits: linger has no lifetime
// statistics here and must report the site as growing.
//
//go:noinline
func leakForgottenReceiver(s *counterSite) {
	ch := make(chan int)
	s.add(1)
	go func() {
		v := <-ch
		_ = v
	}()
}

// leakLockedMutex starts a goroutine that takes a shared lock for 1-3 ms.
// Until loseLock runs these all exit, giving the site its statistics; after
// that every one of them blocks in Lock forever.
//
//go:noinline
func leakLockedMutex(r *lockedRand, s *mutexSite) {
	d := time.Millisecond + time.Duration(r.float64()*float64(2*time.Millisecond))
	atomic.AddInt64(&s.started, 1)
	go func() {
		s.mu.Lock()
		atomic.AddInt64(&s.acquired, 1)
		time.Sleep(d)
		s.mu.Unlock()
	}()
}

// loseLock is the buggy code path: it returns early without unlocking.
//
//go:noinline
func loseLock(s *mutexSite) {
	s.mu.Lock()
	atomic.StoreInt32(&s.lost, 1)
}

// ---- ground truth ----

// leakSite is a leak pattern's ground truth: how many of its goroutines are
// known to be stuck forever.
type leakSite interface {
	site() string
	verdict() string
	leaked() int64
}

// counterSite counts leaks where they become certain.
type counterSite struct {
	n      int64 // atomic; first field for 64-bit alignment on 32-bit platforms
	name   string
	expect string
}

func (s *counterSite) add(d int64)     { atomic.AddInt64(&s.n, d) }
func (s *counterSite) site() string    { return s.name }
func (s *counterSite) verdict() string { return s.expect }
func (s *counterSite) leaked() int64   { return atomic.LoadInt64(&s.n) }

// mutexSite is the lock shared by leakLockedMutex goroutines. Once the lock
// is lost no goroutine can acquire it again, so every goroutine started but
// not yet past Lock is stuck forever; before that none is.
type mutexSite struct {
	started  int64 // atomic
	acquired int64 // atomic; incremented while holding mu
	lost     int32 // atomic; set once loseLock holds mu
	mu       sync.Mutex
	name     string
	expect   string
}

func (s *mutexSite) isLost() bool    { return atomic.LoadInt32(&s.lost) != 0 }
func (s *mutexSite) site() string    { return s.name }
func (s *mutexSite) verdict() string { return s.expect }
func (s *mutexSite) leaked() int64 {
	if !s.isLost() {
		return 0
	}
	// acquired no longer changes once the lock is lost.
	return atomic.LoadInt64(&s.started) - atomic.LoadInt64(&s.acquired)
}

func printTruth(sites []leakSite) {
	now := time.Now().UnixMilli()
	for _, s := range sites {
		emit("truth %d %s %d", now, s.site(), s.leaked())
	}
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
