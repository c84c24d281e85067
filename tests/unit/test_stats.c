/* Welford against a two-pass computation, and counter rates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "stats.h"

/* Deterministic noise: xorshift64*, mapped to [0, 1). */
static uint64_t rng_state;

static double rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

/* Two passes in long double: the reference. */
static void two_pass(const double *x, size_t n, double *mean, double *sd)
{
	long double sum = 0, ss = 0, m;
	size_t i;

	for (i = 0; i < n; i++)
		sum += x[i];
	m = sum / n;
	for (i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	*mean = (double)m;
	*sd = n > 1 ? (double)sqrtl(ss / (n - 1)) : 0.0;
}

static void check(const double *x, size_t n, double rel)
{
	struct welford w = {0};
	double mean, sd;
	size_t i;

	for (i = 0; i < n; i++)
		welford__add(&w, x[i]);
	two_pass(x, n, &mean, &sd);
	assert_int_equal(w.n, n);
	assert_true(fabs(w.mean - mean) <= rel * fabs(mean) + 1e-9);
	assert_true(fabs(welford__stddev(&w) - sd) <= rel * sd + 1e-9);
}

static void test_small_data(void **state)
{
	const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct welford w = {0};
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++)
		welford__add(&w, x[i]);
	assert_true(fabs(w.mean - 5.0) < 1e-12);
	/* Sample (n - 1) deviation of the classic example: sqrt(32 / 7). */
	assert_true(fabs(welford__stddev(&w) - sqrt(32.0 / 7.0)) < 1e-12);
	check(x, 8, 1e-12);
}

static void test_varied_data(void **state)
{
	static double x[10000];
	size_t i;

	(void)state;
	rng_state = 42;
	/* Lifetimes spanning microseconds to seconds. */
	for (i = 0; i < 10000; i++)
		x[i] = exp(rnd() * 14.0) * 1000.0;
	check(x, 10000, 1e-9);
	/* Sorted ascending: the worst order for naive running sums. */
	for (i = 0; i < 10000; i++)
		x[i] = (double)i * (double)i;
	check(x, 10000, 1e-9);
}

static void test_large_offset(void **state)
{
	static double x[100000];
	struct welford w = {0};
	size_t i;
	double sd;

	(void)state;
	rng_state = 7;
	/* 1e12 ns plus noise of a few ns: sum-of-squares would lose every
	 * digit of the variance (1e24 against 1e0). */
	for (i = 0; i < 100000; i++) {
		x[i] = 1e12 + rnd() * 10.0;
		welford__add(&w, x[i]);
	}
	/* Welford lands within a few 1e-6 of the truth; sum-of-squares in
	 * doubles is off by a factor of 1e11 on this data. */
	check(x, 100000, 1e-5);
	/* Uniform on [0, 10): sigma = 10 / sqrt(12). */
	sd = welford__stddev(&w);
	assert_true(fabs(sd - 10.0 / sqrt(12.0)) < 0.05);
}

static void test_identical(void **state)
{
	struct welford w = {0};
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		welford__add(&w, 1e12 + 0.1);
	assert_true(welford__stddev(&w) >= 0.0);
	assert_true(welford__stddev(&w) < 1e-3);
}

static void test_few_samples(void **state)
{
	struct welford w = {0};

	(void)state;
	assert_true(welford__stddev(&w) == 0.0);
	assert_true(w.mean == 0.0);
	welford__add(&w, 123.0);
	assert_int_equal(w.n, 1);
	assert_true(w.mean == 123.0);
	assert_true(welford__stddev(&w) == 0.0);
	welford__add(&w, 125.0);
	assert_true(w.mean == 124.0);
	assert_true(fabs(welford__stddev(&w) - sqrt(2.0)) < 1e-12);
}

static void test_rate(void **state)
{
	(void)state;
	assert_true(rate__per_sec(0, 100, 1000000000ULL) == 100.0);
	assert_true(rate__per_sec(100, 150, 500000000ULL) == 100.0);
	/* No period, no rate: never a division by zero. */
	assert_true(rate__per_sec(0, 100, 0) == 0.0);
	/* A counter that went backwards saturates to 0. */
	assert_true(rate__per_sec(150, 100, 1000000000ULL) == 0.0);
	assert_true(rate__per_sec(7, 7, 1000000000ULL) == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_small_data),	 cmocka_unit_test(test_varied_data),
	    cmocka_unit_test(test_large_offset), cmocka_unit_test(test_identical),
	    cmocka_unit_test(test_few_samples),	 cmocka_unit_test(test_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
