/* When the spawn and exit probes are on: the duty cycle.
 *
 * Every probe hit costs the target about a microsecond. At a low event
 * rate the probes stay on (full time). When the hits would cost the
 * target more than a budget (a fraction of one core), the probes go on for
 * a slice and off for the rest of a period, the on fraction chosen so that
 * the hits fit the budget; after each off phase the target's goroutines
 * are walked (gwalk) before the probes go on again, which finds the ones
 * spawned and exited meanwhile. Lifetimes within a slice are sampled
 * without bias; longer ones are censored (gtable__forget_unobserved).
 * This module is the policy only: pure functions of time and hit counts. */
#ifndef LINGER_DUTY_H
#define LINGER_DUTY_H

#include <stdbool.h>
#include <stdint.h>

struct duty_opts {
	double budget;	      /* fraction of one core the hits may cost; 0: never cycle */
	uint64_t hit_cost_ns; /* what one hit is assumed to cost the target */
	uint64_t slice_ns;    /* an on phase while cycling */
	double min_on;	      /* the smallest on fraction */
	uint64_t eval_ns;     /* how often full time measures the rate */
};

/* budget 0.5% of a core, 1.2 µs a hit (trap and program, as the
 * benchmark measures them end to end), 100 ms slices, on at least 2.5% of
 * the time (a period of 4 s at most), rate measured every quarter second
 * at full time (sooner, after a fifth of a slice, when it is already
 * twice the budget). */
void duty_opts__defaults(struct duty_opts *o);

struct duty {
	struct duty_opts o;
	bool on;	     /* probes on now */
	bool cycling;	     /* else full time */
	uint64_t phase_ns;   /* when the current phase began */
	uint64_t phase_len;  /* of an off phase */
	uint64_t phase_hits; /* hit counter when the current phase began */
	double on_fraction;  /* 1 at full time */
};

enum duty_action {
	DUTY_NONE,
	DUTY_PAUSE,  /* take the probes off */
	DUTY_RESUME, /* walk the goroutines, then put the probes on */
};

/* Starts at full time, probes on, at now_ns with the hit counter at hits. */
void duty__init(struct duty *d, const struct duty_opts *o, uint64_t now_ns, uint64_t hits);

/* Advances the cycle to now_ns; hits is the cumulative count of spawn and
 * exit hits (it only grows while the probes are on). Returns what to do
 * now. Cheap: call it every poll. */
enum duty_action duty__step(struct duty *d, uint64_t now_ns, uint64_t hits);

/* The on fraction that keeps rate_per_s hits within the budget, between
 * min_on and 1. */
double duty__fraction(const struct duty_opts *o, double rate_per_s);

#endif
