/* The duty cycle's policy: full time at low rates, cycles sized to the
 * budget at high ones, a walk before the probes go back on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "duty.h"

#define MS 1000000ULL

/* The numbers below assume this policy, not whatever the defaults are
 * tuned to: 1% of a core at 1 us a hit, 100 ms slices, on at least 5% of
 * the time, measured every quarter second. */
static void policy(struct duty_opts *o)
{
	duty_opts__defaults(o);
	o->budget = 0.01;
	o->hit_cost_ns = 1000;
	o->slice_ns = 100 * MS;
	o->min_on = 0.05;
	o->eval_ns = 250 * MS;
}

/* Steps d every 10 ms from `from` to `to` (inclusive), hits_per_step more
 * each time, every step expected to leave the probes on. Returns the hit
 * count. */
static uint64_t steady(struct duty *d, uint64_t from, uint64_t to, uint64_t hits_per_step,
		       uint64_t hits)
{
	for (uint64_t t = from; t <= to; t += 10 * MS) {
		hits += hits_per_step;
		assert_int_equal(duty__step(d, t, hits), DUTY_NONE);
		assert_true(d->on);
	}
	return hits;
}

static void test_fraction(void **state)
{
	struct duty_opts o;

	(void)state;
	policy(&o);
	/* 1% of a core at 1 us a hit: 10k hits/s fit. */
	assert_true(duty__fraction(&o, 5000) == 1.0);
	assert_true(duty__fraction(&o, 10000) == 1.0);
	assert_true(duty__fraction(&o, 100000) > 0.0999 && duty__fraction(&o, 100000) < 0.1001);
	assert_true(duty__fraction(&o, 1e9) == o.min_on);
	o.budget = 0;
	assert_true(duty__fraction(&o, 1e9) == 1.0);
}

static void test_low_rate_stays_on(void **state)
{
	struct duty_opts o;
	struct duty d;

	(void)state;
	policy(&o);
	duty__init(&d, &o, 0, 0);
	steady(&d, 10 * MS, 5000 * MS, 20, 0); /* 2k hits/s */
}

static void test_high_rate_cycles(void **state)
{
	struct duty_opts o;
	struct duty d;
	uint64_t t = 0, hits = 0, on_ns = 0, off_ns = 0, resumes = 0, first_pause = 0;

	(void)state;
	policy(&o);
	duty__init(&d, &o, 0, 0);
	/* 100k hits/s while on: 10% on, i.e. 100ms on, 900ms off. */
	while (t < 20000 * MS) {
		enum duty_action a;

		t += 10 * MS;
		if (d.on)
			hits += 1000;
		*(d.on ? &on_ns : &off_ns) += 10 * MS;
		a = duty__step(&d, t, hits);
		if (a == DUTY_RESUME)
			resumes++;
		if (a == DUTY_PAUSE && !first_pause)
			first_pause = t;
		assert_true(a != DUTY_PAUSE || !d.on);
	}
	assert_true(d.cycling);
	assert_true(d.on_fraction > 0.0999 && d.on_fraction < 0.1001);
	assert_true(resumes >= 19 && resumes <= 20);
	/* Ten times the budget: full time ends after a fifth of a slice. */
	assert_int_equal(first_pause, 20 * MS);
	assert_true(on_ns < 2200 * MS && on_ns > 1900 * MS);
	assert_true(off_ns > 17000 * MS);
}

static void test_burst_caught_early(void **state)
{
	struct duty_opts o;
	struct duty d;
	uint64_t t, hits = 0;

	(void)state;
	policy(&o);
	duty__init(&d, &o, 0, 0);
	/* Quiet (2k hits/s) through the first measure... */
	hits = steady(&d, 10 * MS, 250 * MS, 20, hits);
	/* ...then 200k hits/s: off within a fifth of a slice, not at the
	 * next measure 250 ms on. */
	for (t = 260 * MS;; t += 10 * MS) {
		hits += 2000;
		if (duty__step(&d, t, hits) == DUTY_PAUSE)
			break;
		assert_true(t < 300 * MS);
	}
	assert_true(t <= 270 * MS);
	assert_false(d.on);
	assert_true(d.on_fraction < 0.06);
}

static void test_near_budget_waits_for_the_measure(void **state)
{
	struct duty_opts o;
	struct duty d;
	uint64_t hits;

	(void)state;
	policy(&o);
	duty__init(&d, &o, 0, 0);
	/* 15k hits/s, 1.5 times the budget: not worth an early verdict. */
	hits = steady(&d, 10 * MS, 240 * MS, 150, 0);
	hits += 150;
	assert_int_equal(duty__step(&d, 250 * MS, hits), DUTY_PAUSE);
	assert_true(d.on_fraction > 0.66 && d.on_fraction < 0.67);
}

static void test_rate_falls_back_to_full_time(void **state)
{
	struct duty_opts o;
	struct duty d;
	uint64_t t = 0, hits = 0;

	(void)state;
	policy(&o);
	duty__init(&d, &o, 0, 0);
	assert_int_equal(duty__step(&d, 1000 * MS, 1000000), DUTY_PAUSE);
	hits = 1000000;
	t = 1000 * MS + d.phase_len;
	assert_int_equal(duty__step(&d, t, hits), DUTY_RESUME);
	/* A quiet slice: back to full time, probes stay on. */
	assert_int_equal(duty__step(&d, t + 100 * MS, hits + 10), DUTY_NONE);
	assert_true(d.on);
	assert_false(d.cycling);
	assert_int_equal(duty__step(&d, t + 600 * MS, hits + 20), DUTY_NONE);
	assert_true(d.on);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fraction),
	    cmocka_unit_test(test_low_rate_stays_on),
	    cmocka_unit_test(test_high_rate_cycles),
	    cmocka_unit_test(test_burst_caught_early),
	    cmocka_unit_test(test_near_budget_waits_for_the_measure),
	    cmocka_unit_test(test_rate_falls_back_to_full_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
