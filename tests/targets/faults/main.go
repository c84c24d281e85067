// faults is the target of linger's fault tests (tests/integration/
// test_faults.py): one program, one behaviour per -mode, each meant to
// push linger somewhere uncomfortable.
//
//	churn  one goroutine spawns a goroutine and waits for it, as fast as it
//	       can, and prints how many round trips a second it managed: the
//	       target's speed, with and without probes attached
//	storm  -spawners goroutines spawn empty goroutines as fast as they can,
//	       in batches of -batch (so the live count stays bounded): enough
//	       records to overrun linger's ring buffer
//	park   starts -count goroutines that all park on one channel, then
//	       idles: a process with a million live goroutines
//	exec   churns like `churn`, then after -exec-after replaces itself with
//	       -exec-into: a path (e.g. /bin/sleep, given -exec-args), or "self"
//	       for this binary again in churn mode
//
// Every mode also runs main.leakForever, which parks one goroutine a
// -leak-every forever (a `growing` site for linger to find).
//
// Stdout (one line per write, so a pipe reader sees it at once):
//
//	ready <pid>                          once the mode's goroutines run
//	rate <unix-ms> <per-second>          churn, storm, exec: every -report
//	                                     (round trips, or spawns)
//
// Diagnostics go to stderr. The program exits 0 on SIGINT, SIGTERM or after
// -duration.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var ops uint64 // churn round trips, or storm spawns

func main() {
	var (
		mode      = flag.String("mode", "churn", "churn, storm, park or exec")
		duration  = flag.Duration("duration", 10*time.Minute, "stop after this long")
		report    = flag.Duration("report", 250*time.Millisecond, "print the rate this often")
		spawners  = flag.Int("spawners", runtime.NumCPU(), "storm: spawning goroutines")
		batch     = flag.Int("batch", 512, "storm: goroutines a spawner starts before it waits for them")
		count     = flag.Int("count", 1000000, "park: goroutines to park")
		execAfter = flag.Duration("exec-after", 3*time.Second, "exec: replace the process after this long")
		execInto  = flag.String("exec-into", "self", "exec: the program to exec, or self")
		execArgs  = flag.String("exec-args", "30", "exec: one argument for -exec-into (self: ignored)")
		leakEvery = flag.Duration("leak-every", 200*time.Millisecond, "park one goroutine forever this often (0: never)")
	)
	flag.Parse()

	stop := make(chan struct{})
	if *leakEvery > 0 {
		go leakLoop(stop, *leakEvery)
	}
	switch *mode {
	case "churn", "exec":
		go churn(stop)
	case "storm":
		for i := 0; i < *spawners; i++ {
			go storm(*batch)
		}
	case "park":
		parkMany(*count, stop)
	default:
		fmt.Fprintf(os.Stderr, "unknown -mode %q\n", *mode)
		os.Exit(2)
	}
	emit("ready %d", os.Getpid())
	if *mode != "park" {
		go printRates(stop, *report)
	}
	if *mode == "exec" {
		go func() {
			time.Sleep(*execAfter)
			execProgram(*execInto, *execArgs, *duration)
		}()
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(*duration):
	}
	close(stop)
}

// churn spawns one goroutine and waits for it, over and over: every round
// trip is one spawn, one park (the wait) and one exit for linger's probes.
//
//go:noinline
func churn(stop <-chan struct{}) {
	done := make(chan struct{})
	for {
		select {
		case <-stop:
			return
		default:
		}
		for i := 0; i < 64; i++ {
			go func() { done <- struct{}{} }()
			<-done
		}
		atomic.AddUint64(&ops, 64)
	}
}

// storm starts empty goroutines as fast as it can, batch at a time.
//
//go:noinline
func storm(batch int) {
	var wg sync.WaitGroup
	for {
		wg.Add(batch)
		for i := 0; i < batch; i++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
		atomic.AddUint64(&ops, uint64(batch))
	}
}

// parkMany starts n goroutines that wait on stop.
//
//go:noinline
func parkMany(n int, stop <-chan struct{}) {
	var started sync.WaitGroup
	started.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-stop
		}()
	}
	started.Wait()
}

// leakLoop parks one goroutine forever every period.
func leakLoop(stop <-chan struct{}, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			leakForever()
		}
	}
}

//go:noinline
func leakForever() {
	go func() {
		select {} // nobody will ever wake it
	}()
}

func printRates(stop <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	last, lastAt := atomic.LoadUint64(&ops), time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			n := atomic.LoadUint64(&ops)
			emit("rate %d %.0f", now.UnixNano()/1e6, float64(n-last)/now.Sub(lastAt).Seconds())
			last, lastAt = n, now
		}
	}
}

// execInto replaces the process: with this binary in churn mode (the
// same executable, so the same probe sites), or with another program.
func execProgram(what, arg string, duration time.Duration) {
	path, argv := what, []string{what, arg}
	if what == "self" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		path, argv = exe, []string{exe, "-mode", "churn", "-duration", duration.String()}
	}
	fmt.Fprintf(os.Stderr, "exec %s\n", path)
	if err := syscall.Exec(path, argv, os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(2)
	}
}

func emit(format string, args ...interface{}) {
	os.Stdout.WriteString(fmt.Sprintf(format, args...) + "\n")
}
