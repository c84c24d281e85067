/* Running mean and variance (Welford): numerically stable, O(1) memory. */
#ifndef LINGER_STATS_H
#define LINGER_STATS_H

#include <stdint.h>

struct welford {
	uint64_t n;
	double mean;
	double m2; /* sum of squared deviations from the running mean */
};

/* Adds one sample. */
void welford__add(struct welford *w, double x);
/* Sample standard deviation (n - 1); 0 when n < 2. */
double welford__stddev(const struct welford *w);

/* Per-second rate of a monotonic counter that went from prev to cur over
 * period_ns. 0 when the period is 0 or the counter went backwards (a reset
 * saturates instead of wrapping to a huge rate). */
double rate__per_sec(uint64_t prev, uint64_t cur, uint64_t period_ns);

#endif
