// gotiny is the smallest Go target, for unit tests that parse a real Go
// binary (build info, symbols, pclntab, DWARF) and for quick attach checks:
// main starts two goroutines from main.spawnOne, which park until the end.
//
// Stdout: "ready <pid>" once both goroutines have been started.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// spawnOne holds the `go` statement that tests look for by name; noinline
// keeps it a real function in the symbol table and pclntab.
//
//go:noinline
func spawnOne(done <-chan struct{}, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-done
	}()
}

func main() {
	duration := flag.Duration("duration", 2*time.Second, "stop after this long")
	flag.Parse()

	done := make(chan struct{})
	var wg sync.WaitGroup
	spawnOne(done, &wg)
	spawnOne(done, &wg)
	fmt.Printf("ready %d\n", os.Getpid())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case <-time.After(*duration):
	}
	close(done)
	wg.Wait()
}
