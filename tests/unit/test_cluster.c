/* Stack ids folded into sites by their user-code fingerprint. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cluster.h"

/* Fake address space: runtime code below 0x1000, user code above. */
#define RT(x)	(0x100 + (x))
#define USER(x) (0x2000 + (x))

struct fake {
	const uint64_t *stacks[8];
	int lens[8];
	int reads;
};

static int frames(void *ctx, int32_t id, uint64_t *pcs, size_t max)
{
	struct fake *f = ctx;

	f->reads++;
	if (id >= 8 || !f->stacks[id])
		return -ENOENT;
	for (int i = 0; i < f->lens[id] && (size_t)i < max; i++)
		pcs[i] = f->stacks[id][i];
	return f->lens[id];
}

static bool keep(void *ctx, uint64_t pc)
{
	(void)ctx;
	return pc >= 0x1000;
}

static void same_user_frames_share_a_site(void **state)
{
	/* One go statement reached by two scheduler paths: the runtime frames
	 * differ, and so does the junk beyond the next runtime frame. */
	static const uint64_t a[] = {RT(1), RT(2), USER(10), RT(5), RT(6), USER(77)};
	static const uint64_t b[] = {RT(1), RT(3), USER(10), RT(9), USER(88)};
	static const uint64_t other[] = {RT(1), RT(2), USER(11), USER(12)};
	static const uint64_t all_runtime[] = {RT(1), RT(2), RT(4)};
	struct fake f = {.stacks = {a, b, other, all_runtime, all_runtime},
			 .lens = {6, 5, 4, 3, 3}};
	struct cluster *c = cluster__new(8, frames, keep, &f);

	(void)state;
	assert_non_null(c);
	assert_int_equal(cluster__canonical(c, 0), 0);
	assert_int_equal(cluster__canonical(c, 1), 0);
	assert_int_equal(cluster__canonical(c, 2), 2);
	/* Runtime-only stacks fingerprint by all their frames. */
	assert_int_equal(cluster__canonical(c, 3), 3);
	assert_int_equal(cluster__canonical(c, 4), 3);
	assert_int_equal(f.reads, 5);
	/* Known ids are answered without reading the stack again. */
	assert_int_equal(cluster__canonical(c, 1), 0);
	assert_int_equal(f.reads, 5);
	cluster__free(c);
}

static void deep_user_stacks_use_eight_frames(void **state)
{
	static const uint64_t a[] = {RT(1),   USER(1), USER(2), USER(3), USER(4),
				     USER(5), USER(6), USER(7), USER(8), USER(9)};
	static const uint64_t b[] = {RT(1),   USER(1), USER(2), USER(3), USER(4),
				     USER(5), USER(6), USER(7), USER(8), USER(10)};
	struct fake f = {.stacks = {a, b}, .lens = {10, 10}};
	struct cluster *c = cluster__new(8, frames, keep, &f);

	(void)state;
	assert_int_equal(cluster__canonical(c, 0), 0);
	assert_int_equal(cluster__canonical(c, 1), 0); /* differs only past frame 8 */
	cluster__free(c);
}

static void bad_ids_map_to_themselves(void **state)
{
	struct fake f = {0};
	struct cluster *c = cluster__new(8, frames, keep, &f);

	(void)state;
	assert_int_equal(cluster__canonical(c, -14), -14);
	assert_int_equal(cluster__canonical(c, 8), 8);
	assert_int_equal(cluster__canonical(c, 5), 5); /* unreadable */
	assert_int_equal(cluster__canonical(c, 5), 5);
	assert_int_equal(f.reads, 1);
	cluster__free(c);
	assert_null(cluster__new(0, frames, keep, &f));
	cluster__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(same_user_frames_share_a_site),
	    cmocka_unit_test(deep_user_stacks_use_eight_frames),
	    cmocka_unit_test(bad_ids_map_to_themselves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
