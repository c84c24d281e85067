/* The per-version waitReason tables against the numbering in
 * go-runtime.md §2.3 (observed values where it says so). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "waitreason.h"

struct want {
	int minor;
	uint32_t reason;
	const char *name;
};

static void known_values(void **state)
{
	static const struct want wants[] = {
	    /* <-ch parks with 14 from 1.17 to 1.25 and 19 in 1.26 (observed). */
	    {17, 14, "chan receive"},
	    {19, 14, "chan receive"},
	    {25, 14, "chan receive"},
	    {26, 19, "chan receive"},
	    {27, 19, "chan receive"},
	    {19, 15, "chan send"},
	    {26, 20, "chan send"},
	    {19, 9, "select"},
	    {26, 18, "select"},
	    {19, 2, "IO wait"},
	    {26, 2, "IO wait"},
	    {19, 18, "semacquire"},
	    {19, 19, "sleep"},
	    {24, 19, "sleep"},
	    {25, 19, "semacquire"},
	    {25, 20, "sleep"},
	    {26, 13, "semacquire"},
	    {26, 14, "sleep"},
	    {19, 21, "timer goroutine (idle)"},
	    {20, 21, "sync.Mutex.Lock"},
	    {21, 21, "sync.Mutex.Lock"},
	    {21, 31, "stopping the world"},
	    {23, 36, "coroutine"},
	    {23, 37, "GC weak to strong wait"},
	    /* WaitGroup.Wait parked with 24 in a 1.24 run (observed). */
	    {24, 24, "sync.WaitGroup.Wait"},
	    {24, 25, "trace reader (blocked)"},
	    {24, 37, "coroutine"},
	    {24, 39, "synctest.Run"},
	    {24, 41, "chan receive (synctest)"},
	    {25, 18, "GOMAXPROCS updater (idle)"},
	    {25, 42, "chan receive (durable)"},
	    {25, 46, "cleanup wait"},
	    {26, 12, "GOMAXPROCS updater (idle)"},
	    {26, 15, "chan receive (nil chan)"},
	    {26, 46, "cleanup wait"},
	    {19, 0, ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const char *got = waitreason__name(wants[i].minor, wants[i].reason);

		if (!got || strcmp(got, wants[i].name))
			fail_msg("1.%d reason %u: got \"%s\", want \"%s\"", wants[i].minor,
				 wants[i].reason, got ? got : "(null)", wants[i].name);
	}
}

static void unknown(void **state)
{
	(void)state;
	/* Past the end of each list. */
	assert_null(waitreason__name(19, 27));
	assert_null(waitreason__name(21, 32));
	assert_null(waitreason__name(22, 37));
	assert_null(waitreason__name(23, 38));
	assert_null(waitreason__name(24, 44));
	assert_null(waitreason__name(26, 47));
	assert_null(waitreason__name(26, UINT32_MAX));
	/* Versions without a table. */
	assert_null(waitreason__name(16, 14));
	assert_null(waitreason__name(28, 19));
	assert_null(waitreason__name(-1, 0));
	/* Last entries exist. */
	assert_non_null(waitreason__name(19, 26));
	assert_non_null(waitreason__name(22, 36));
}

/* Every version from 1.17 to 1.27 has a table whose names are all distinct,
 * and "chan receive" exists in each. */
static void every_version(void **state)
{
	(void)state;
	for (int minor = 17; minor <= 27; minor++) {
		uint32_t n = 0, chanrecv = 0;

		while (waitreason__name(minor, n))
			n++;
		assert_true(n >= 27);
		for (uint32_t a = 0; a < n; a++) {
			if (!strcmp(waitreason__name(minor, a), "chan receive"))
				chanrecv++;
			for (uint32_t b = a + 1; b < n; b++)
				assert_string_not_equal(waitreason__name(minor, a),
							waitreason__name(minor, b));
		}
		assert_int_equal(chanrecv, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_values),
	    cmocka_unit_test(unknown),
	    cmocka_unit_test(every_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
