// leakysvc is linger's demo: a small HTTP service with the most common
// goroutine leak there is. Its /search handler calls a backend in a
// goroutine and gives up after a deadline; the result channel is unbuffered,
// so when the backend is slow the goroutine blocks forever on its send.
// A built-in load generator keeps requests coming, so
//
//	leakysvc & sudo linger -p $!
//
// shows the leak within seconds with no other tool.
//
// Stdout (one line per write, so a pipe reader sees it at once):
//
//	ready <pid> <host:port>                    once listening
//	truth <unix-ms> main.searchBackends <n>    every second, with -truth
//
// Diagnostics go to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
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
		addr      = flag.String("addr", "127.0.0.1:8765", "listen address (port 0: any free port)")
		selfload  = flag.Bool("selfload", true, "send requests to itself")
		loadRate  = flag.Float64("load-rate", 50, "self-load requests per second")
		timeout   = flag.Duration("timeout", 50*time.Millisecond, "/search backend deadline")
		duration  = flag.Duration("duration", 10*time.Minute, "stop after this long")
		truth     = flag.Bool("truth", false, "print truth lines (leaked goroutines) every second")
		seed      = flag.Int64("seed", 0, "random seed (0: from the clock)")
		debug     = flag.Bool("debug", false, "print goroutine counts per creating function to stderr every second")
		loadConns = 8
	)
	flag.Parse()

	svc := &service{rng: newLockedRand(*seed), timeout: *timeout}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leakysvc: listen %s: %v\n", *addr, err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: svc.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "leakysvc: serve: %v\n", err)
			os.Exit(1)
		}
	}()

	shutdown := make(chan struct{})
	base := "http://" + ln.Addr().String()
	if *selfload {
		startSelfLoad(shutdown, base, *loadRate, loadConns, svc.rng)
	}
	if *debug {
		go debugLoop(shutdown)
	}
	fmt.Fprintf(os.Stderr, "leakysvc: serving %s (try /search?q=go, /render, /healthz); self-load %v at %g req/s\n",
		base, *selfload, *loadRate)
	emit("ready %d %s", os.Getpid(), ln.Addr().String())
	if *truth {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				emit("truth %d main.searchBackends %d", time.Now().UnixMilli(), atomic.LoadInt64(&svc.leaked))
				select {
				case <-shutdown:
					return
				case <-t.C:
				}
			}
		}()
	}

	waitForStop(*duration)
	close(shutdown)
	// Close, not Shutdown: the demo has nothing to drain.
	srv.Close()
}

type service struct {
	leaked  int64 // atomic: /search goroutines stuck forever; first for alignment
	rng     *lockedRand
	timeout time.Duration
}

func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "leakysvc: /search?q=... (leaks when the backend is slow), /render, /healthz")
	})
	mux.HandleFunc("/search", s.handleSearch)
	mux.HandleFunc("/render", s.handleRender)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	return mux
}

func (s *service) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	res, err := searchBackends(r.Context(), s, q)
	if err != nil {
		http.Error(w, "search: "+err.Error(), http.StatusGatewayTimeout)
		return
	}
	fmt.Fprintln(w, res)
}

// searchBackends asks the backend for q and gives up after s.timeout.
// The bug: results is unbuffered, so after a timeout nobody will ever
// receive and the goroutine blocks on its send forever. The fix is a
// buffer of one.
//
//go:noinline
func searchBackends(ctx context.Context, s *service, q string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	results := make(chan string)
	go func() {
		results <- callBackend(ctx, s.rng, q)
	}()
	select {
	case res := <-results:
		return res, nil
	case <-ctx.Done():
		atomic.AddInt64(&s.leaked, 1)
		return "", ctx.Err()
	}
}

// callBackend stands in for an RPC whose latency is log-normal (median
// 15 ms, sigma_log 0.7): about 4% of calls exceed the default 50 ms deadline,
// so the self-load leaks about one goroutine a second.
func callBackend(ctx context.Context, r *lockedRand, q string) string {
	t := time.NewTimer(r.lognormal(15*time.Millisecond, 0.7))
	defer t.Stop()
	select {
	case <-t.C:
		return fmt.Sprintf("results for %q", q)
	case <-ctx.Done():
		return ""
	}
}

func (s *service) handleRender(w http.ResponseWriter, r *http.Request) {
	for _, part := range renderFragments(s.rng, 4) {
		fmt.Fprintln(w, part)
	}
}

// renderFragments renders n page fragments in parallel and waits for all of
// them: short-lived goroutines that always exit, the healthy contrast to
// searchBackends.
//
//go:noinline
func renderFragments(r *lockedRand, n int) []string {
	parts := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		i := i
		d := time.Millisecond + time.Duration(r.float64()*float64(4*time.Millisecond))
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(d)
			parts[i] = fmt.Sprintf("fragment %d rendered in %v", i, d.Round(time.Microsecond))
		}()
	}
	wg.Wait()
	return parts
}

// startSelfLoad sends about rate requests a second to base over conns
// keep-alive connections: half /search, a third /render, the rest /healthz.
// When every connection is busy a request is skipped rather than queued,
// so a slow server is not buried.
//
//go:noinline
func startSelfLoad(stop <-chan struct{}, base string, rate float64, conns int, r *lockedRand) {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns},
		Timeout:   5 * time.Second,
	}
	urls := make(chan string, conns)
	for i := 0; i < conns; i++ {
		go func() {
			for u := range urls {
				resp, err := client.Get(u)
				if err != nil {
					continue
				}
				// Read to EOF so the connection is reused.
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	words := []string{"goroutine", "leak", "channel", "mutex", "ebpf", "uprobe"}
	go func() {
		n := 0
		pace(stop, rate, func() {
			n++
			var u string
			switch x := r.float64(); {
			case x < 0.5:
				u = base + "/search?q=" + words[n%len(words)]
			case x < 0.83:
				u = base + "/render"
			default:
				u = base + "/healthz"
			}
			select {
			case urls <- u:
			default:
			}
		})
	}()
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
// that created them. It stops the world to collect stacks, so it is off by
// default.
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
