/* The leak rule, as pure functions over one site's numbers.
 *
 * A live goroutine is a suspect when its site has at least min_samples
 * exits, it is parked, and its age exceeds
 *     threshold = mean + k * max(sigma, sigma_floor_ns, sigma_floor_frac * mean)
 * of the site's exited lifetimes. A site is `leak` when its settled
 * suspects (those already past the threshold at the previous refresh) are
 * at least min_suspect_ratio of its live goroutines for debounce
 * consecutive refreshes and across min_gc_cycles garbage collections of
 * the target (or, for a target that collects less often, for gc_wait_ns:
 * an idle heap is collected only every two minutes), and number at least
 * min_settled: the heavy tail
 * of a healthy site crosses the threshold and exits within a refresh, and
 * one or two slow goroutines of a quiet site (a slow mode the statistics
 * have not seen yet, just after attach) are not enough. Goroutines parked
 * with exempt_reason (the runtime's "IO wait": idle keep-alive
 * connections park there for minutes by design) are never suspects. A
 * site with fewer than min_samples exits is `growing` when over the last
 * growth_window refreshes (or all its refreshes, once it has
 * growth_min_steps) its live count rose by at least min_growth and rose in
 * at least half of those refreshes (a steady climb, not one burst such as
 * a worker pool starting); otherwise `warming`.
 *
 * The growth alarm grades how fast a live count climbs over the growth
 * window: warning at growth_warn_per_s new goroutines a second, critical
 * above growth_critical_per_s. */
#ifndef LINGER_DETECTOR_H
#define LINGER_DETECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "stats.h"

struct detector_opts {
	double k;		      /* default 3.0 */
	uint32_t min_samples;	      /* default 5 */
	uint64_t sigma_floor_ns;      /* default 1 ms */
	double sigma_floor_frac;      /* default 0.1 (of the mean) */
	double min_suspect_ratio;     /* default 0.3 */
	uint32_t debounce;	      /* default 2 refreshes */
	uint32_t growth_window;	      /* default 10 refreshes, at most DETECTOR_MAX_WINDOW */
	uint32_t growth_min_steps;    /* default 4 refreshes */
	uint32_t min_growth;	      /* default 5 goroutines */
	uint32_t min_settled;	      /* default 3 settled suspects */
	int64_t exempt_reason;	      /* wait reason that is never suspect; -1: none */
	uint32_t min_gc_cycles;	      /* default 2 target GCs a leak must hold across */
	uint64_t gc_wait_ns;	      /* default 3 s: held this long, GCs or not */
	double growth_warn_per_s;     /* default 3 */
	double growth_critical_per_s; /* default 5 */
};

#define DETECTOR_MAX_WINDOW 60

/* Fills every field of o with the defaults noted above. */
void detector_opts__defaults(struct detector_opts *o);

/* Threshold in ns for a site with these exited lifetimes; 0 when the site
 * has fewer than min_samples exits (no statistics yet). */
double detector__threshold(const struct detector_opts *o, const struct welford *w);

/* True when the settled suspects of one refresh make the site a leak
 * candidate: at least min_settled (and one) of them, and at least
 * min_suspect_ratio * live. */
bool detector__leak_candidate(const struct detector_opts *o, uint64_t suspects, uint64_t live);

/* True when a leak candidate has held long enough to be shown: for
 * runs consecutive refreshes (at least debounce), and across gc_cycles
 * target GCs (at least min_gc_cycles) or for held_ns (at least
 * gc_wait_ns). gc_cycles is 0 when the target's GCs cannot be counted. */
bool detector__held(const struct detector_opts *o, uint32_t runs, uint64_t gc_cycles,
		    uint64_t held_ns);

/* The alarm level of a live count growing by per_s goroutines a second. */
enum growth_alarm detector__growth_alarm(const struct detector_opts *o, double per_s);

/* "none", "warning" or "critical". */
const char *growth_alarm__name(enum growth_alarm a);

/* True when the live counts (oldest first, n of them) show steady growth
 * by the rule above: over the last min(n - 1, growth_window) steps, which
 * must be at least growth_min_steps. */
bool detector__growing(const struct detector_opts *o, const uint64_t *live_history, uint32_t n);

#endif
