// keepalive: idle keep-alive HTTP connections (healthy, nothing leaks).
//
// An in-process net/http server (IdleTimeout 5 minutes) serves two kinds of
// clients on loopback:
//   - short calls: a net/http client with keep-alives off, 20 calls a
//     second, so the server's per-connection goroutine (go c.serve in
//     (*Server).Serve) mostly lives a few milliseconds and exits;
//   - idle browsers: every -idle-every a new raw TCP connection makes one
//     request and then stays open and idle for minutes (log-normal, median
//     -idle-life), as browsers and pooling proxies do; up to -idle-max are
//     open at once. Their server goroutines are parked in network I/O
//     (`IO wait`) far longer than the short calls live, and they are not
//     leaks: each exits when its client hangs up or the idle timeout hits.
//
// The idle connections are raw sockets driven by one goroutine, so the
// client side adds no long-lived goroutines of its own.
//
// Sites: all healthy: net/http.(*Server).Serve, main.serveRequest,
// main.driveIdleClients, net/http.(*Transport).dialConn (short calls only),
// and net/http's other short-lived goroutines.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var (
		duration  = flag.Duration("duration", 2*time.Minute, "stop after this long")
		seed      = flag.Int64("seed", 0, "random seed (0: from the clock)")
		rate      = flag.Float64("rate", 20, "short calls per second")
		idleEvery = flag.Duration("idle-every", 500*time.Millisecond, "how often a new idle connection opens")
		idleMax   = flag.Int("idle-max", 60, "idle connections open at most")
		idleLife  = flag.Duration("idle-life", 90*time.Second, "median time an idle connection stays open")
	)
	flag.Parse()
	c := newCorpus(*seed)
	c.healthySites("main.main", "main.(*corpus).run", "main.serveRequest", "main.driveIdleClients",
		"net/http.(*Server).Serve", "net/http.(*Transport).dialConn", "net/http.(*Transport).queueForDial",
		"net/http.(*connReader).startBackgroundRead")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			time.Sleep(c.rng.lognormal(3*time.Millisecond, 0.5))
			fmt.Fprintf(w, "ok %d\n", c.rng.intn(1000))
		}),
		IdleTimeout: 5 * time.Minute,
	}
	go srv.Serve(ln)
	addr := ln.Addr().String()
	short := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	go pace(c.shutdown, fixed(*rate), func() {
		serveRequest(func() { shortCall(short, "http://"+addr+"/short") })
	})
	driveIdleClients(c, addr, *idleEvery, *idleMax, *idleLife)
	c.run(*duration)
	srv.Close()
}

// serveRequest runs one short call in its own goroutine.
//
//go:noinline
func serveRequest(handle func()) {
	go func() {
		handle()
	}()
}

func shortCall(client *http.Client, url string) {
	resp, err := client.Get(url)
	if err != nil {
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

type idleConn struct {
	conn    net.Conn
	br      *bufio.Reader
	closeAt time.Time
}

// driveIdleClients starts the one goroutine that opens idle keep-alive
// connections and hangs them up when their time comes.
//
//go:noinline
func driveIdleClients(c *corpus, addr string, every time.Duration, max int, life time.Duration) {
	go func() {
		var open []*idleConn
		defer func() {
			for _, ic := range open {
				ic.conn.Close()
			}
		}()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.shutdown:
				return
			case now := <-t.C:
				kept := open[:0]
				for _, ic := range open {
					if now.After(ic.closeAt) {
						ic.conn.Close()
					} else {
						kept = append(kept, ic)
					}
				}
				open = kept
				if len(open) >= max {
					continue
				}
				if ic, err := dialIdle(addr); err == nil {
					ic.closeAt = now.Add(c.rng.lognormal(life, 0.5))
					open = append(open, ic)
				} else {
					fmt.Fprintln(os.Stderr, "idle client:", err)
				}
			}
		}
	}()
}

// dialIdle opens a connection, makes one keep-alive request on it and
// leaves it open.
func dialIdle(addr string) (*idleConn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(conn, "GET /page HTTP/1.1\r\nHost: %s\r\nConnection: keep-alive\r\n\r\n", addr)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return &idleConn{conn: conn, br: br}, nil
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
