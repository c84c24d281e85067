/* Walks a target's goroutines without probes: reads runtime.allgs (a []*g
 * that only grows; dead g's stay in it to be reused) and the fields of
 * each g through /proc/PID/mem. Used to seed the table at attach, and
 * after every off phase of the duty cycle to find the goroutines spawned
 * and exited while the probes were off. */
#ifndef LINGER_GWALK_H
#define LINGER_GWALK_H

#include <stdbool.h>
#include <stdint.h>

#include "gobin.h"
#include "procmem.h"

/* One live goroutine (not dead, not idle) as its g reads now. */
struct gwalk_g {
	uint64_t goid;
	uint64_t g_addr;
	uint64_t gopc;
	uint64_t startpc;
	int64_t waitsince; /* the runtime's nanotime when it parked; 0 unset */
	uint32_t wait_reason;
	bool parked; /* _Gwaiting, or Go 1.26's _Gleaked */
};

/* Called per live goroutine; a non-zero return stops the walk. */
typedef int (*gwalk_fn)(void *ctx, const struct gwalk_g *g);
/* Called between batches of goroutines, e.g. to drain the ring buffer
 * while a long walk runs. May be NULL. */
typedef void (*gwalk_between_fn)(void *ctx);

/* Reads up to max goroutines of the slice at allgs (a runtime address)
 * with the field offsets off, calling fn for each live one. Unreadable
 * g's are skipped. Returns the number of live goroutines passed to fn,
 * or -errno when the slice itself cannot be read. */
int64_t gwalk__run(struct procmem *pm, uint64_t allgs, const struct go_offsets *off, uint64_t max,
		   gwalk_fn fn, gwalk_between_fn between, void *ctx);

#endif
