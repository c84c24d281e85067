//go:build !linger_cgo
// +build !linger_cgo

package main

// cgoMarker does nothing in the pure-Go variants.
func cgoMarker() {}
