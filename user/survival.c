/* Redistribute-to-the-right over octaves of lifetime. */
#include "survival.h"

#include <math.h>

uint32_t survival__bucket(double t_ns)
{
	int e;

	if (!(t_ns >= 2000.0))
		return 0;
	/* frexp: t/1us = m * 2^e with m in [0.5, 1), so octave e - 1. */
	frexp(t_ns / 1000.0, &e);
	return e - 1 >= SURVIVAL_BUCKETS ? SURVIVAL_BUCKETS - 1 : (uint32_t)(e - 1);
}

void survival_hist__add(struct survival_hist *h, double t_ns)
{
	uint32_t b = survival__bucket(t_ns);

	h->n[b]++;
	h->sum[b] += t_ns;
	h->sumsq[b] += t_ns * t_ns;
}

void survival__estimate(const struct welford *exact, const struct survival_hist *events,
			const struct survival_hist *censored, struct welford *out)
{
	double at_risk = 0.0, w = 1.0, weight = 0.0, s1 = 0.0, s2 = 0.0, mean, var;
	uint64_t ncensored = 0;
	uint32_t i;

	for (i = 0; i < SURVIVAL_BUCKETS; i++) {
		ncensored += censored->n[i];
		at_risk += (double)events->n[i] + (double)censored->n[i];
	}
	*out = *exact;
	if (!ncensored || !exact->n)
		return;
	for (i = 0; i < SURVIVAL_BUCKETS; i++) {
		double d = events->n[i], c = censored->n[i], later;

		/* Every goroutine still at risk carries the same weight w:
		 * each share went to all of them alike. */
		weight += w * d;
		s1 += w * events->sum[i];
		s2 += w * events->sumsq[i];
		at_risk -= d;
		if (!c)
			continue;
		later = at_risk - c;
		if (later > 0.0) {
			w *= at_risk / later;
		} else {
			weight += w * c;
			s1 += w * censored->sum[i];
			s2 += w * censored->sumsq[i];
		}
		at_risk = later;
	}
	if (!(weight > 0.0))
		return;
	mean = s1 / weight;
	/* The weights sum to the observations' count; the sample deviation
	 * divides by one less, as welford__stddev does. */
	var = s2 / weight - mean * mean;
	if (!(var > 0.0))
		var = 0.0;
	out->mean = mean;
	out->m2 = weight > 1.0 && exact->n > 1
		      ? var * weight / (weight - 1.0) * (double)(exact->n - 1)
		      : 0.0;
}
