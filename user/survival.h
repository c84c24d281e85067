/* Lifetimes with goroutines still alive counted as censored observations.
 *
 * A site's exits alone under-state how long its goroutines live: the
 * long-lived ones are the ones still running when linger looks, so the
 * exits seen first are the short ones. Every live goroutine that is not a
 * suspect says "my lifetime is at least my age". Efron's
 * redistribute-to-the-right (the Kaplan-Meier estimate written as weights)
 * uses that: walking lifetimes upwards, each censored goroutine hands its
 * weight in equal shares to every goroutine that lived longer; the weights
 * then give the mean and spread. Censored goroutines older than every
 * later observation keep their weight at their age, a lower bound.
 * Lifetimes are grouped in octaves from 1 us; within an octave, censoring
 * counts as coming after the exits (Kaplan-Meier's rule for ties). With no
 * censored goroutine the estimate is the exits' own mean and deviation. */
#ifndef LINGER_SURVIVAL_H
#define LINGER_SURVIVAL_H

#include <stdint.h>

#include "stats.h"

/* Octaves from 1 us up: the last one holds everything from ~6 days. */
#define SURVIVAL_BUCKETS 40

struct survival_hist {
	uint32_t n[SURVIVAL_BUCKETS];
	double sum[SURVIVAL_BUCKETS];	/* ns */
	double sumsq[SURVIVAL_BUCKETS]; /* ns^2 */
};

/* The octave a lifetime of t_ns falls in; 0 below 2 us. */
uint32_t survival__bucket(double t_ns);

/* Adds one lifetime (an exit) or age (a censored goroutine). */
void survival_hist__add(struct survival_hist *h, double t_ns);

/* Estimates a site's lifetimes from exits (exact: their running
 * statistics; events: the same exits, grouped) and censored goroutines.
 * out->n is the number of exits; out->mean and welford__stddev(out) are
 * the estimate, equal to exact's when censored is empty. */
void survival__estimate(const struct welford *exact, const struct survival_hist *events,
			const struct survival_hist *censored, struct welford *out);

#endif
