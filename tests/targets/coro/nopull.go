//go:build !go1.23

package main

const supported = false

func pullAndForget(forget bool) bool { return false }

func pullAndStop() {}
