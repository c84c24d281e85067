/* The leak rule: thresholds, leak candidates, growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "detector.h"

static struct welford samples(const double *x, size_t n)
{
	struct welford w = {0};
	size_t i;

	for (i = 0; i < n; i++)
		welford__add(&w, x[i]);
	return w;
}

static void test_defaults(void **state)
{
	struct detector_opts o;

	(void)state;
	detector_opts__defaults(&o);
	assert_true(o.k == 3.0);
	assert_int_equal(o.min_samples, 5);
	assert_int_equal(o.sigma_floor_ns, 1000000);
	assert_true(o.sigma_floor_frac == 0.1);
	assert_true(o.min_suspect_ratio == 0.3);
	assert_int_equal(o.debounce, 2);
	assert_int_equal(o.growth_window, 10);
	assert_int_equal(o.min_growth, 5);
	assert_true(o.growth_window <= DETECTOR_MAX_WINDOW);
	assert_int_equal(o.min_gc_cycles, 2);
	assert_int_equal(o.gc_wait_ns, 3000000000ull);
	assert_true(o.growth_warn_per_s == 3.0);
	assert_true(o.growth_critical_per_s == 5.0);
}

static void test_held(void **state)
{
	struct detector_opts o;

	(void)state;
	detector_opts__defaults(&o);
	/* Debounce first: two refreshes, whatever the GCs. */
	assert_false(detector__held(&o, 1, 10, 10000000000ull));
	/* Then two GCs, or gc_wait without them. */
	assert_false(detector__held(&o, 2, 1, 1000000000ull));
	assert_true(detector__held(&o, 2, 2, 1000000000ull));
	assert_false(detector__held(&o, 5, 0, 2999999999ull));
	assert_true(detector__held(&o, 5, 0, 3000000000ull));
	/* No GC rule: the debounce alone. */
	o.min_gc_cycles = 0;
	assert_true(detector__held(&o, 2, 0, 0));
	/* Debounce 0 counts as 1: a candidate must exist. */
	o.debounce = 0;
	assert_false(detector__held(&o, 0, 0, 0));
	assert_true(detector__held(&o, 1, 0, 0));
}

static void test_growth_alarm(void **state)
{
	struct detector_opts o;

	(void)state;
	detector_opts__defaults(&o);
	assert_int_equal(detector__growth_alarm(&o, 0.0), GROWTH_NONE);
	assert_int_equal(detector__growth_alarm(&o, 2.99), GROWTH_NONE);
	assert_int_equal(detector__growth_alarm(&o, 3.0), GROWTH_WARNING);
	/* "Above 5" is critical; 5 itself a warning. */
	assert_int_equal(detector__growth_alarm(&o, 5.0), GROWTH_WARNING);
	assert_int_equal(detector__growth_alarm(&o, 5.01), GROWTH_CRITICAL);
	assert_int_equal(detector__growth_alarm(&o, NAN), GROWTH_NONE);
	assert_string_equal(growth_alarm__name(GROWTH_NONE), "none");
	assert_string_equal(growth_alarm__name(GROWTH_WARNING), "warning");
	assert_string_equal(growth_alarm__name(GROWTH_CRITICAL), "critical");
}

static void test_threshold(void **state)
{
	/* mean 100ms, sigma ~15.8ms: above both floors (1ms, 10ms). */
	const double wide[] = {80e6, 90e6, 100e6, 110e6, 120e6};
	/* Identical lifetimes: sigma 0, the fraction floor (10% of 50ms). */
	const double same[] = {50e6, 50e6, 50e6, 50e6, 50e6};
	/* Short, tight lifetimes: the absolute floor (1ms > 10% of 2us). */
	const double tiny[] = {2000, 2001, 1999, 2000, 2000};
	struct detector_opts o;
	struct welford w;
	double sd;

	(void)state;
	detector_opts__defaults(&o);
	w = samples(wide, 5);
	sd = welford__stddev(&w);
	assert_true(sd > 10e6);
	assert_true(fabs(detector__threshold(&o, &w) - (100e6 + 3 * sd)) < 1.0);

	w = samples(same, 5);
	assert_true(fabs(detector__threshold(&o, &w) - (50e6 + 3 * 5e6)) < 1.0);

	w = samples(tiny, 5);
	assert_true(fabs(detector__threshold(&o, &w) - (2000 + 3 * 1e6)) < 1.0);

	/* Without floors the raw sigma stands. */
	o.sigma_floor_ns = 0;
	o.sigma_floor_frac = 0.0;
	w = samples(tiny, 5);
	assert_true(fabs(detector__threshold(&o, &w) - (2000 + 3 * welford__stddev(&w))) < 1e-6);
	w = samples(same, 5);
	assert_true(fabs(detector__threshold(&o, &w) - 50e6) < 1e-6);

	/* Fewer than min_samples: no statistics, 0. */
	detector_opts__defaults(&o);
	w = samples(wide, 4);
	assert_true(detector__threshold(&o, &w) == 0.0);
	o.min_samples = 4;
	assert_true(detector__threshold(&o, &w) > 0.0);
	/* Nothing exited is never a statistic, whatever min_samples says. */
	o.min_samples = 0;
	w = samples(wide, 0);
	assert_true(detector__threshold(&o, &w) == 0.0);
}

static void test_leak_candidate(void **state)
{
	struct detector_opts o;

	(void)state;
	detector_opts__defaults(&o);
	assert_false(detector__leak_candidate(&o, 0, 0));
	assert_false(detector__leak_candidate(&o, 0, 10));
	/* 0.3 of 10 is 3: the boundary counts. */
	assert_false(detector__leak_candidate(&o, 2, 10));
	assert_true(detector__leak_candidate(&o, 3, 10));
	assert_true(detector__leak_candidate(&o, 10, 10));
	/* One or two slow goroutines of a quiet site are not enough. */
	assert_false(detector__leak_candidate(&o, 1, 1));
	assert_false(detector__leak_candidate(&o, 2, 2));
	assert_true(detector__leak_candidate(&o, 3, 3));
	assert_false(detector__leak_candidate(&o, 299, 1000));
	assert_true(detector__leak_candidate(&o, 300, 1000));
	/* Ratio 0 and min_settled 0: any suspect will do, but at least one. */
	o.min_suspect_ratio = 0.0;
	o.min_settled = 0;
	assert_true(detector__leak_candidate(&o, 1, 1000000));
	assert_false(detector__leak_candidate(&o, 0, 1000000));
}

static void test_growing(void **state)
{
	struct detector_opts o;
	uint64_t h[DETECTOR_MAX_WINDOW];
	uint32_t i;

	(void)state;
	detector_opts__defaults(&o);

	/* A steady climb, 1 per refresh over 11 samples: rises 10 of 10. */
	for (i = 0; i < 11; i++)
		h[i] = 100 + i;
	assert_true(detector__growing(&o, h, 11));
	/* A young site is judged on what there is, from growth_min_steps
	 * steps (5 samples) on. */
	assert_true(detector__growing(&o, h, 10));
	assert_false(detector__growing(&o, h, 4)); /* +3: not min_growth */
	for (i = 0; i < 5; i++)
		h[i] = 100 + 2 * i;
	assert_true(detector__growing(&o, h, 5));  /* +8 in 4 steps */
	assert_false(detector__growing(&o, h, 4)); /* 3 steps: too early */
	assert_false(detector__growing(&o, h, 0));
	assert_false(detector__growing(&o, NULL, 0));

	/* One burst (a worker pool starting): +50 once, flat after. */
	for (i = 0; i < 11; i++)
		h[i] = i < 3 ? 0 : 50;
	assert_false(detector__growing(&o, h, 11));

	/* Flat. */
	for (i = 0; i < 11; i++)
		h[i] = 20;
	assert_false(detector__growing(&o, h, 11));

	/* Climbing too slowly: rises every other refresh, +4 in all. */
	for (i = 0; i < 11; i++)
		h[i] = 10 + (i + 1) / 2 - (i >= 9);
	assert_int_equal(h[10] - h[0], 4);
	assert_false(detector__growing(&o, h, 11));

	/* Rises in exactly half the steps (5 of 10), +10: growing. */
	for (i = 0; i < 11; i++)
		h[i] = 10 + 2 * ((i + 1) / 2);
	assert_true(detector__growing(&o, h, 11));
	/* Rises in 3 of 10 steps, big ones: a few bursts, not a climb. */
	for (i = 0; i < 11; i++)
		h[i] = 10 + 10 * (i / 3);
	assert_false(detector__growing(&o, h, 11));

	/* Only the last window counts: an old climb then flat is not growing. */
	for (i = 0; i < 30; i++)
		h[i] = i < 15 ? i : 15;
	assert_false(detector__growing(&o, h, 30));
	/* And a recent climb after a flat stretch is. */
	for (i = 0; i < 30; i++)
		h[i] = i < 19 ? 5 : 5 + (i - 18);
	assert_true(detector__growing(&o, h, 30));

	/* Falling is never growing. */
	for (i = 0; i < 11; i++)
		h[i] = 100 - i;
	assert_false(detector__growing(&o, h, 11));

	/* The window is capped at the history there is: never read before
	 * the first sample, however large growth_window is. */
	o.growth_window = 1000;
	for (i = 0; i < DETECTOR_MAX_WINDOW; i++)
		h[i] = i;
	assert_true(detector__growing(&o, h, DETECTOR_MAX_WINDOW));
	o.growth_window = 0;
	assert_false(detector__growing(&o, h, DETECTOR_MAX_WINDOW));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),	   cmocka_unit_test(test_threshold),
	    cmocka_unit_test(test_leak_candidate), cmocka_unit_test(test_growing),
	    cmocka_unit_test(test_held),	   cmocka_unit_test(test_growth_alarm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
