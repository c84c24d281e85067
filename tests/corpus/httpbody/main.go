// httpbody: an HTTP response body that is never closed.
//
// The program runs an in-process net/http server on loopback and a client
// that calls it from request goroutines through its own http.Transport
// (default settings: keep-alive on, 2 idle connections per host). The
// server fails 5% of calls with a 503 and a short body, and closes the
// connection after those and after 10% of the others (a per-connection
// request limit). The client reads and closes every 200 body, but on a non-200
// status returns its error without closing the body, the classic bug.
//
// Ground truth: net/http's transport runs two goroutines per client
// connection, started by two go statements in (*Transport).dialConn:
// readLoop and writeLoop. An unclosed body pins its connection: readLoop
// waits in `select` for the body to be read or closed, writeLoop waits in
// `select` for the next request, and neither will ever return (the request
// has no context deadline and the client no Timeout). So every unclosed
// body leaks exactly 2 goroutines, both of site
// net/http.(*Transport).dialConn, and they are counted the moment the
// client returns without closing. Healthy connections of the same site
// exit when the server closes them or when the idle pool is full. The
// server side of a leaked connection is not leaked: the server closed it
// after the 503, and its per-connection goroutine has exited.
//
// Sites: leak net/http.(*Transport).dialConn (readLoop and writeLoop);
// healthy: the request goroutines of truth.Serve, net/http.(*Server).Serve
// and the other short-lived net/http goroutines.
package main

import (
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
		rate   = flag.Float64("rate", 40, "client calls per second")
		errP   = flag.Float64("errors", 0.05, "share of calls the server fails with 503")
		closeP = flag.Float64("close", 0.1, "share of successful calls after which the server closes the connection")
	)
	c := truth.New()
	site := c.LeakSite("net/http.(*Transport).dialConn", truth.ExpectLeak)
	c.HealthySites("main.main",
		"net/http.(*Server).Serve", "net/http.(*Transport).queueForDial",
		"net/http.(*connReader).startBackgroundRead")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	srv := &http.Server{Handler: &backend{r: c.Rand, errP: *errP, closeP: *closeP}}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/item"
	client := &http.Client{Transport: &http.Transport{}}
	c.Serve(*rate, func() { _ = callBackend(client, url, site) })
	c.Run()
	srv.Close()
}

// backend answers after a log-normal time (median 4 ms).
type backend struct {
	r      *truth.Rand
	errP   float64
	closeP float64
}

func (b *backend) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	time.Sleep(b.r.Lognormal(4*time.Millisecond, 0.5))
	if b.r.Chance(b.errP) {
		w.Header().Set("Connection", "close")
		http.Error(w, "backend overloaded, retry later", http.StatusServiceUnavailable)
		return
	}
	if b.r.Chance(b.closeP) {
		w.Header().Set("Connection", "close")
	}
	fmt.Fprintf(w, "{\"item\":%d,\"pad\":\"%0200d\"}\n", b.r.Intn(1000000), 0)
}

// callBackend is the buggy client: it leaves the body of a failed call
// unclosed.
func callBackend(client *http.Client, url string, s *truth.Site) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		s.Leaked(2) // the bug: no resp.Body.Close(); readLoop and writeLoop stay
		return fmt.Errorf("backend: %s", resp.Status)
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
