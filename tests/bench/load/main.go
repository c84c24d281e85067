// load is the Go side of linger's overhead benchmark (scripts/bench.sh):
// one program, one workload per -mode, each meant to stress one kind of
// probe hit.
//
//	pingpong  two goroutines hand a token back and forth over unbuffered
//	          channels: every round trip parks twice, spawns nothing
//	churn     -spawners goroutines each start a goroutine and wait for it,
//	          as fast as they can: every round trip is one spawn and one
//	          exit
//	gc        one goroutine runs runtime.GC() back to back on a small
//	          heap: every op is one GC cycle (the GC probe's hit)
//	http      a net/http server on loopback with a tiny handler, for a
//	          keep-alive load client (wrk)
//
// Stdout (one line per write, so a pipe reader sees it at once):
//
//	ready <pid> [<host:port>]    once the workload runs
//	ops <unix-ns> <total>        every -report, the cumulative count of
//	                             round trips, GC cycles or requests
//
// The program exits 0 on SIGINT, SIGTERM or after -duration.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

var ops uint64

func main() {
	var (
		mode     = flag.String("mode", "pingpong", "pingpong, churn, gc or http")
		duration = flag.Duration("duration", 30*time.Minute, "stop after this long")
		report   = flag.Duration("report", 100*time.Millisecond, "print the op count this often")
		spawners = flag.Int("spawners", runtime.NumCPU(), "churn: goroutines spawning")
		addr     = flag.String("addr", "127.0.0.1:0", "http: listen address")
	)
	flag.Parse()

	switch *mode {
	case "pingpong":
		go pingpong()
	case "churn":
		for i := 0; i < *spawners; i++ {
			go churn()
		}
	case "gc":
		go collect()
	case "http":
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		go serve(ln)
		emit("ready %d %s", os.Getpid(), ln.Addr())
		go printOps(*report)
		wait(*duration)
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown -mode %q\n", *mode)
		os.Exit(2)
	}
	emit("ready %d", os.Getpid())
	go printOps(*report)
	wait(*duration)
}

func emit(format string, args ...interface{}) {
	os.Stdout.WriteString(fmt.Sprintf(format, args...) + "\n")
}

func wait(d time.Duration) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(d):
	}
}

func printOps(every time.Duration) {
	for range time.Tick(every) {
		emit("ops %d %d", time.Now().UnixNano(), atomic.LoadUint64(&ops))
	}
}

//go:noinline
func pingpong() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	for v := 0; ; {
		ping <- v
		v = <-pong
		atomic.AddUint64(&ops, 1)
	}
}

var sink uint64

//go:noinline
func work(n uint64) uint64 {
	for i := uint64(0); i < 32; i++ {
		n = n*6364136223846793005 + 1442695040888963407
	}
	return n
}

//go:noinline
func churn() {
	done := make(chan uint64)
	for i := uint64(0); ; i++ {
		go func(i uint64) { done <- work(i) }(i)
		atomic.AddUint64(&sink, <-done)
		atomic.AddUint64(&ops, 1)
	}
}

//go:noinline
func collect() {
	for {
		runtime.GC()
		atomic.AddUint64(&ops, 1)
	}
}

func serve(ln net.Listener) {
	body := []byte("ok\n")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
		atomic.AddUint64(&ops, 1)
	})
	srv := &http.Server{Handler: mux}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
