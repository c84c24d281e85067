//go:build linger_cgo
// +build linger_cgo

package main

// int linger_cgo_marker(void) { return 42; }
import "C"

// cgoMarker makes the linger_cgo variant a real cgo binary: externally
// linked, with C code and the cgo runtime in the process.
func cgoMarker() {
	if C.linger_cgo_marker() != 42 {
		panic("cgo call failed")
	}
}
