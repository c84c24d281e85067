/* The goroutine table: live goroutines keyed by goid (goids are never
 * reused; g structs are), grouped into sites keyed by creation stack. Each
 * site keeps Welford statistics of the lifetimes of its exited goroutines
 * and the short history the detector's growth and debounce rules need.
 * Ingest is the hot path: no allocation per record once the tables are
 * sized, no syscalls. */
#ifndef LINGER_GTABLE_H
#define LINGER_GTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detector.h"
#include "report.h"

struct gtable;

struct gtable_limits {
	uint32_t max_goroutines; /* live goroutines tracked; more are evicted (counted) */
	uint32_t max_sites;	 /* sites tracked; spawns at new sites past it are counted */
};

struct gtable_stats {
	uint64_t records; /* every record offered to gtable__ingest */
	uint64_t spawns;
	uint64_t parks;
	uint64_t exits;
	uint64_t malformed; /* records rejected by the decoder */
	uint64_t evicted;   /* goroutines or sites not tracked for lack of room */
	uint64_t unknown;   /* parks/exits of goroutines never seen spawning */
	uint64_t vanished;  /* goroutines found gone without an exit record */
	uint64_t seeded;    /* goroutines read from the target at attach */
	uint64_t live;	    /* tracked live goroutines now */
};

/* Returns a new table, or NULL with errno set (ENOMEM, EINVAL for a zero
 * limit). Memory grows on demand up to the limits. */
struct gtable *gtable__new(const struct gtable_limits *lim);
/* Frees t. Safe on NULL. */
void gtable__free(struct gtable *t);

/* Sizes the map for n live goroutines (at most max_goroutines) at once,
 * rather than doubling its way there: a target with a million goroutines
 * then never holds two copies of the map. 0, or -ENOMEM (the map is then
 * as it was and still grows on demand). */
int gtable__reserve(struct gtable *t, uint64_t n);

/* Decodes one ring-buffer record (struct lc_event_* from bpf/lifecycle.h)
 * and applies it. Returns 0, or -EINVAL for a record that is short,
 * unknown or inconsistent (counted in malformed, never applied): rec NULL,
 * len not exactly the size of its type's struct, goid 0 (g0 is never
 * spawned), or a tgid other than the one of the first accepted record (a
 * table serves one target). rec need not be aligned. A spawn of a goid
 * already live is ignored; a park or exit of an untracked goid counts in
 * unknown. A spawn past max_goroutines or at a new site past max_sites is
 * not tracked and counts in evicted. O(1), no allocation except when the
 * map doubles. */
int gtable__ingest(struct gtable *t, const void *rec, size_t len);

/* Says whether park records arrive (true after gtable__new). Without
 * them a goroutine's parked state is known only from the probe of
 * gtable__report, which then also reads the oldest goroutine of each site
 * that has no parked sample otherwise, so that every site still shows
 * where its goroutines wait. */
void gtable__set_park_records(struct gtable *t, bool on);

/* Copies the counters (cumulative since gtable__new; live is current). */
/* A goroutine that was alive before the probes attached, read from the
 * target's runtime.allgs. */
struct gtable_seed {
	uint64_t goid;
	uint64_t g_addr;
	uint64_t gopc;
	uint64_t startpc;
	uint64_t since_ns; /* lower bound of its spawn time: blocked since, or attach */
	uint32_t wait_reason;
	bool parked;
};

/* Adds a pre-existing goroutine to the site of its `go` statement (which
 * the first creation stack seen for that statement takes over), or, when
 * spawns of that statement were seen already, to the first site of their
 * creation stacks. Its exit
 * gives no lifetime sample: the true lifetime is unknown. Returns 0,
 * -EEXIST when goid is tracked already, -ENOSPC when there is no room
 * (counted in evicted), -EINVAL for goid 0. */
int gtable__seed(struct gtable *t, const struct gtable_seed *s);

void gtable__stats(const struct gtable *t, struct gtable_stats *out);

/* One live goroutine seen by a walk of the target's goroutines (its
 * runtime.allgs), made while the spawn and exit probes are off (duty
 * cycling): updates its parked state when tracked, seeds it (as
 * gtable__seed) when not, and marks it seen by the walk in progress.
 * Returns 0 or gtable__seed's errors. */
int gtable__observe(struct gtable *t, const struct gtable_seed *sd);

/* Ends a walk: tracked goroutines spawned before walk_start_ns that it did
 * not observe have exited unseen while the probes were off. They are
 * dropped with no lifetime sample (counted in vanished); the next walk
 * starts. Returns how many were dropped. O(table size). */
uint64_t gtable__forget_unobserved(struct gtable *t, uint64_t walk_start_ns);

/* What the target's memory says of one goroutine. */
struct gtable_gstate {
	uint32_t wait_reason;
	uint64_t stack_bytes; /* its goroutine stack, stack.hi - stack.lo */
};

/* Asks the target about one goroutine, at report time, for goroutines old
 * enough to be suspects only. Returns 1 when goid still lives at g_addr
 * and is parked now (and fills *out), 0 when it lives but is not parked,
 * -ESRCH when it is gone (its g is dead or holds another goid: an exit
 * was missed), another negative errno when it cannot be read. */
typedef int (*gtable_probe_fn)(void *ctx, uint64_t goid, uint64_t g_addr,
			       struct gtable_gstate *out);

/* Tells the table how many GCs the target has completed since attach
 * (counted by a probe), for the rule that a leak holds across GCs. Left
 * at 0 when they cannot be counted: then only time counts. */
void gtable__set_gc_cycles(struct gtable *t, uint64_t n);

/* Computes one report at time now_ns (same clock as the records): one site
 * per creation site with live or exited goroutines, numbers and verdicts
 * filled, names left empty, sorted with report__sort. probe may be NULL:
 * then a goroutine counts as parked when its last record was a park.
 * probe is called only for goroutines older than their site's threshold
 * (so never for sites without statistics); an error other than -ESRCH
 * falls back to the last record. Goroutines the probe reports gone are
 * dropped (counted in vanished, no lifetime sample).
 * Advances the per-site history: call once per refresh. Sets out->sites,
 * out->nsites and the header numbers the table knows (live, suspects,
 * events, evictions, spawn_rate and exit_rate over the period since the
 * previous report, 0 for the first); other fields are left as they are, so
 * free a previous report's sites first. out->sites is owned by the caller
 * (report__free). Returns 0, or -ENOMEM with the table unchanged, or
 * -EINVAL for a NULL argument. */
int gtable__report(struct gtable *t, const struct detector_opts *o, uint64_t now_ns,
		   gtable_probe_fn probe, void *ctx, struct report *out);

#endif
