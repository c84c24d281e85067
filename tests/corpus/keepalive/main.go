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
// Sites: all healthy: net/http.(*Server).Serve, the request goroutines of
// truth.Serve, main.driveIdleClients, net/http.(*Transport).dialConn (short
// calls only), and net/http's other short-lived goroutines.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"linger/tests/corpus/internal/truth"
)

func main() {
	var (
		rate      = flag.Float64("rate", 20, "short calls per second")
		idleEvery = flag.Duration("idle-every", 500*time.Millisecond, "how often a new idle connection opens")
		idleMax   = flag.Int("idle-max", 60, "idle connections open at most")
		idleLife  = flag.Duration("idle-life", 90*time.Second, "median time an idle connection stays open")
	)
	c := truth.New()
	c.HealthySites("main.main", "main.driveIdleClients",
		"net/http.(*Server).Serve", "net/http.(*Transport).dialConn", "net/http.(*Transport).queueForDial",
		"net/http.(*connReader).startBackgroundRead")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			time.Sleep(c.Rand.Lognormal(3*time.Millisecond, 0.5))
			fmt.Fprintf(w, "ok %d\n", c.Rand.Intn(1000))
		}),
		IdleTimeout: 5 * time.Minute,
	}
	go srv.Serve(ln)
	addr := ln.Addr().String()
	short := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c.Serve(*rate, func() { shortCall(short, "http://"+addr+"/short") })
	driveIdleClients(c, addr, *idleEvery, *idleMax, *idleLife)
	c.Run()
	srv.Close()
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
func driveIdleClients(c *truth.Corpus, addr string, every time.Duration, max int, life time.Duration) {
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
			case <-c.Done():
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
					ic.closeAt = now.Add(c.Rand.Lognormal(life, 0.5))
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
