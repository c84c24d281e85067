// Package truth is what every program of the leak corpus shares: its
// command line (-duration, -seed), its sites with their ground truth, the
// line protocol scripts/score.py reads on its stdout, pacing, and a
// goroutine-safe random source.
//
// A program declares its sites, starts its patterns and calls Run:
//
//	c := truth.New() // after the program's own flags: it parses them
//	site := c.LeakSite("main.leakCondWait", truth.ExpectLeak)
//	c.Serve(*rate, func() { leakCondWait(c.Rand, site) })
//	c.Run()
//
// Sites are named as linger names them: after the function that holds the
// go statement. The go statements of this package (the pace loops, Serve's
// requests, After, the truth ticker) are sites too; the package declares
// each one it uses as healthy, so a program declares only its own.
//
// Stdout carries only these lines, one write(2) each:
//
//	healthy <func>               at start, one per healthy site
//	expect <func> <leak|growing> at start, one per leak site
//	ready <pid>                  all patterns started
//	truth <unix-ms> <func> <n>   every second per leak site, and at shutdown
//	leak <unix-ms> <func>        one per goroutine that just became stuck forever
package truth

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"reflect"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Expect is what linger should report for a leak site.
type Expect string

const (
	// ExpectLeak: most of the site's goroutines exit and some stay, so
	// linger has lifetimes to single out the stuck ones.
	ExpectLeak Expect = "leak"
	// ExpectGrowing: none of the site's goroutines ever exits.
	ExpectGrowing Expect = "growing"
)

// pkgPath prefixes the names of this package's functions as linger reports
// them ("linger/tests/corpus/internal/truth").
var pkgPath = reflect.TypeOf(Corpus{}).PkgPath()

// Corpus is one program's plumbing: its random source, the shutdown
// channel, and its sites with their ground truth.
type Corpus struct {
	// Rand is the program's random source, seeded by -seed.
	Rand *Rand

	duration time.Duration
	shutdown chan struct{}
	healthy  []string
	leaks    []*Site
}

// New defines the flags every corpus program has (-duration, default 2m;
// -seed, default 0: from the clock), parses the command line, and returns
// the program's Corpus. The program defines its own flags before calling
// it.
func New() *Corpus {
	duration := flag.Duration("duration", 2*time.Minute, "stop after this long")
	seed := flag.Int64("seed", 0, "random seed (0: from the clock)")
	flag.Parse()
	return &Corpus{Rand: newRand(*seed), duration: *duration, shutdown: make(chan struct{})}
}

// Done is closed when the program shuts down; every long-lived goroutine
// of a healthy pattern ends on it.
func (c *Corpus) Done() <-chan struct{} { return c.shutdown }

// HealthySites declares sites (function names as linger reports them) that
// never leak. Declaring a name twice prints it once.
func (c *Corpus) HealthySites(funcs ...string) {
	for _, f := range funcs {
		known := false
		for _, h := range c.healthy {
			known = known || h == f
		}
		if !known {
			c.healthy = append(c.healthy, f)
		}
	}
}

// own declares one of this package's go statements, by the name of the
// function that holds it ("(*Corpus).Pace"), as a healthy site.
func (c *Corpus) own(fn string) {
	c.HealthySites(pkgPath + "." + fn)
}

// LeakSite declares a site that leaks and returns its ground truth, which
// the program's leak path updates.
func (c *Corpus) LeakSite(name string, expect Expect) *Site {
	s := &Site{name: name, expect: expect}
	c.leaks = append(c.leaks, s)
	return s
}

// Site is the ground truth of one leaking go statement.
type Site struct {
	n      int64 // atomic: goroutines stuck forever; first for 64-bit alignment
	name   string
	expect Expect
	count  func() int64
}

// Leaked records k goroutines that just became stuck forever: it adds them
// to the truth and prints one `leak` line each. k <= 0 does nothing.
func (s *Site) Leaked(k int) {
	if k <= 0 {
		return
	}
	atomic.AddInt64(&s.n, int64(k))
	s.Events(k)
}

// Events prints k `leak` lines without touching the count: for a site
// whose truth comes from CountWith.
func (s *Site) Events(k int) {
	ms := nowMs()
	for i := 0; i < k; i++ {
		emit("leak %d %s", ms, s.name)
	}
}

// CountWith makes count the site's truth instead of the sum of Leaked:
// for sites where the number of stuck goroutines is only known from lock
// counters. count is called from the truth ticker, so it must be safe for
// concurrent use.
func (s *Site) CountWith(count func() int64) { s.count = count }

func (s *Site) total() int64 {
	if s.count != nil {
		return s.count()
	}
	return atomic.LoadInt64(&s.n)
}

func (c *Corpus) printTruth() {
	ms := nowMs()
	for _, s := range c.leaks {
		emit("truth %d %s %d", ms, s.name, s.total())
	}
}

// Run announces the sites, prints `ready`, prints the truth every second
// until -duration has passed or SIGINT/SIGTERM arrives, then closes Done
// and prints the truth once more. Everything the program declares or
// starts through its Corpus must come before Run.
//
//go:noinline
func (c *Corpus) Run() {
	if len(c.leaks) > 0 {
		c.own("(*Corpus).Run")
	}
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
	waitForStop(c.duration)
	close(c.shutdown)
	c.printTruth()
}

// After calls fn once, d from now, in its own goroutine, unless shutdown
// comes first.
//
//go:noinline
func (c *Corpus) After(d time.Duration, fn func()) {
	c.own("(*Corpus).After")
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
