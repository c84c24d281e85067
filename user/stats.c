/* Welford's running mean and variance, and counter rates. */
#include "stats.h"

#include <math.h>

void welford__add(struct welford *w, double x)
{
	/* Deltas from the running mean, not sums of squares: lifetimes share
	 * a large common part and x*x would cancel catastrophically. */
	double delta = x - w->mean;

	w->n++;
	w->mean += delta / (double)w->n;
	w->m2 += delta * (x - w->mean);
}

double welford__stddev(const struct welford *w)
{
	double var;

	if (w->n < 2)
		return 0.0;
	var = w->m2 / (double)(w->n - 1);
	/* Rounding can leave m2 a hair below zero for identical samples. */
	return var > 0.0 ? sqrt(var) : 0.0;
}

double rate__per_sec(uint64_t prev, uint64_t cur, uint64_t period_ns)
{
	if (!period_ns || cur <= prev)
		return 0.0;
	return (double)(cur - prev) * 1e9 / (double)period_ns;
}
