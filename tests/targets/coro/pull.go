//go:build go1.23

package main

import "iter"

const supported = true

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// pullAndForget reads two values; when forget, it drops the iterator
// without calling stop, which leaks the coroutine's goroutine. Reports
// whether it leaked.
//
//go:noinline
func pullAndForget(forget bool) bool {
	next, stop := iter.Pull(count(10))
	next()
	next()
	if forget {
		return true
	}
	stop()
	return false
}

// pullAndStop is the healthy twin: it always stops.
//
//go:noinline
func pullAndStop() {
	next, stop := iter.Pull(count(10))
	next()
	stop()
}
