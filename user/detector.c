/* The leak rule: thresholds, leak candidates and growth, as pure functions. */
#include "detector.h"

#include <stddef.h>

void detector_opts__defaults(struct detector_opts *o)
{
	o->k = 3.0;
	o->min_samples = 5;
	o->sigma_floor_ns = 1000000;
	o->sigma_floor_frac = 0.1;
	o->min_suspect_ratio = 0.3;
	o->debounce = 2;
	o->growth_window = 10;
	o->growth_min_steps = 4;
	o->min_growth = 5;
	o->min_settled = 3;
	o->exempt_reason = -1;
	o->min_gc_cycles = 2;
	o->gc_wait_ns = 3000000000ull;
	o->growth_warn_per_s = 3.0;
	o->growth_critical_per_s = 5.0;
}

double detector__threshold(const struct detector_opts *o, const struct welford *w)
{
	double sigma, floor_frac;

	/* n == 0 too, even with min_samples 0: a mean of nothing is no
	 * statistic, and a threshold of k * floor would flag everything. */
	if (!w->n || w->n < o->min_samples)
		return 0.0;
	sigma = welford__stddev(w);
	if (sigma < (double)o->sigma_floor_ns)
		sigma = (double)o->sigma_floor_ns;
	floor_frac = o->sigma_floor_frac * w->mean;
	if (sigma < floor_frac)
		sigma = floor_frac;
	return w->mean + o->k * sigma;
}

bool detector__leak_candidate(const struct detector_opts *o, uint64_t suspects, uint64_t live)
{
	if (!suspects || suspects < o->min_settled)
		return false;
	return (double)suspects >= o->min_suspect_ratio * (double)live;
}

bool detector__held(const struct detector_opts *o, uint32_t runs, uint64_t gc_cycles,
		    uint64_t held_ns)
{
	uint32_t need = o->debounce ? o->debounce : 1;

	if (runs < need)
		return false;
	return gc_cycles >= o->min_gc_cycles || held_ns >= o->gc_wait_ns;
}

enum growth_alarm detector__growth_alarm(const struct detector_opts *o, double per_s)
{
	if (per_s > o->growth_critical_per_s)
		return GROWTH_CRITICAL;
	if (per_s >= o->growth_warn_per_s && per_s > 0.0)
		return GROWTH_WARNING;
	return GROWTH_NONE;
}

const char *growth_alarm__name(enum growth_alarm a)
{
	switch (a) {
	case GROWTH_WARNING:
		return "warning";
	case GROWTH_CRITICAL:
		return "critical";
	default:
		return "none";
	}
}

bool detector__growing(const struct detector_opts *o, const uint64_t *live_history, uint32_t n)
{
	uint32_t window = o->growth_window, rises = 0, i;
	const uint64_t *h;

	if (window > DETECTOR_MAX_WINDOW)
		window = DETECTOR_MAX_WINDOW;
	/* A site younger than the window is judged on what there is, once
	 * there are growth_min_steps steps: a steady climb shows early. */
	if (n && n - 1 < window)
		window = n - 1;
	if (!window || !live_history || window < o->growth_min_steps || n <= window)
		return false;
	/* The last window steps: window + 1 samples. */
	h = live_history + (n - window - 1);
	if (h[window] <= h[0] || h[window] - h[0] < o->min_growth)
		return false;
	for (i = 1; i <= window; i++)
		if (h[i] > h[i - 1])
			rises++;
	/* Twice the rises against the window: "at least half" without
	 * rounding an odd window down. */
	return 2 * (uint64_t)rises >= window;
}
