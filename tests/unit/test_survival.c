/* Lifetimes with censored goroutines: the estimate equals the exits' own
 * statistics without censoring, and moves as Kaplan-Meier says with it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "survival.h"

#define US 1000.0
#define MS 1e6
#define S  1e9

static void add_exit(struct welford *w, struct survival_hist *h, double t)
{
	welford__add(w, t);
	survival_hist__add(h, t);
}

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(survival__bucket(0.0), 0);
	assert_int_equal(survival__bucket(NAN), 0);
	assert_int_equal(survival__bucket(1999.0), 0);
	assert_int_equal(survival__bucket(2 * US), 1);
	assert_int_equal(survival__bucket(3.9 * US), 1);
	assert_int_equal(survival__bucket(4 * US), 2);
	assert_int_equal(survival__bucket(1 * S), 19); /* 2^19 us <= 1 s < 2^20 us */
	assert_int_equal(survival__bucket(1e30), SURVIVAL_BUCKETS - 1);
}

/* Nothing censored: the exact running statistics, bit for bit. */
static void test_no_censoring_is_exact(void **state)
{
	struct survival_hist ev = {0}, cen = {0};
	struct welford w = {0}, out;

	(void)state;
	for (int i = 0; i < 100; i++)
		add_exit(&w, &ev, 50 * MS + i * US);
	survival__estimate(&w, &ev, &cen, &out);
	assert_memory_equal(&out, &w, sizeof(w));
}

/* Worked example, one octave apart each: exits at 10 ms and 40 ms, one
 * goroutine alive at 20 ms. Redistribute-to-the-right gives its weight to
 * the one longer exit: weights 1 (10 ms) and 2 (40 ms), mean 30 ms, the
 * Kaplan-Meier mean. */
static void test_censored_weight_moves_right(void **state)
{
	struct survival_hist ev = {0}, cen = {0};
	struct welford w = {0}, out;
	double var;

	(void)state;
	add_exit(&w, &ev, 10 * MS);
	add_exit(&w, &ev, 40 * MS);
	survival_hist__add(&cen, 20 * MS);
	survival__estimate(&w, &ev, &cen, &out);
	assert_int_equal(out.n, 2);
	assert_true(fabs(out.mean - 30 * MS) < 1.0);
	/* Weighted population variance: (1*20^2 + 2*10^2)/3 = 200 ms^2,
	 * times 3/2 for the sample deviation. */
	var = 200.0 * MS * MS * 3.0 / 2.0;
	assert_true(fabs(welford__stddev(&out) - sqrt(var)) < 1.0);
}

/* A goroutine alive past every exit keeps its weight at its age: a lower
 * bound of its lifetime. */
static void test_censored_past_every_exit(void **state)
{
	struct survival_hist ev = {0}, cen = {0};
	struct welford w = {0}, out;

	(void)state;
	add_exit(&w, &ev, 10 * MS);
	add_exit(&w, &ev, 10 * MS);
	survival_hist__add(&cen, 100 * MS);
	survival__estimate(&w, &ev, &cen, &out);
	assert_true(fabs(out.mean - 40 * MS) < 1.0);
	assert_true(out.mean > w.mean);
}

/* Lifetimes uniform over 0-10 s, looked at 2 s after they began: the
 * exits are the short fifth, the rest is alive. Counting the living ones
 * pulls the estimate up towards the truth; exits alone do not. */
static void test_uniform_observed_early(void **state)
{
	struct survival_hist ev = {0}, cen = {0};
	struct welford w = {0}, out;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		double life = (i + 0.5) * 10 * MS; /* 5 ms ... 9.995 s */
		double age = 2 * S * (i % 100 + 0.5) / 100.0;

		if (life <= age)
			add_exit(&w, &ev, life);
		else
			survival_hist__add(&cen, age);
	}
	survival__estimate(&w, &ev, &cen, &out);
	assert_true(w.n > 50 && w.n < 300);
	assert_true(out.mean > 1.5 * w.mean);
	assert_int_equal(out.n, w.n);
}

/* No exits: nothing to estimate, whatever is alive. */
static void test_no_exits(void **state)
{
	struct survival_hist ev = {0}, cen = {0};
	struct welford w = {0}, out;

	(void)state;
	survival_hist__add(&cen, 5 * S);
	survival__estimate(&w, &ev, &cen, &out);
	assert_int_equal(out.n, 0);
	assert_true(out.mean == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buckets),
	    cmocka_unit_test(test_no_censoring_is_exact),
	    cmocka_unit_test(test_censored_weight_moves_right),
	    cmocka_unit_test(test_censored_past_every_exit),
	    cmocka_unit_test(test_uniform_observed_early),
	    cmocka_unit_test(test_no_exits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
