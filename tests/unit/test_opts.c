/* Duration parsing and maps parsing: the strict parsers of user input. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "opts.h"
#include "procmem.h"

static void durations(void **state)
{
	static const struct {
		const char *in;
		uint64_t ns;
	} good[] = {
	    {"15s", 15000000000ULL},	 {"500ms", 500000000ULL}, {"2m", 120000000000ULL},
	    {"1h30m", 5400000000000ULL}, {"250us", 250000ULL},	  {"10", 10000000000ULL},
	    {"1m30s", 90000000000ULL},	 {"7ns", 7ULL},
	};
	static const char *const bad[] = {
	    "", "s", "-1s", "1x", "1.5s", "0s", "0", "99999999999999999999s", "1s ", " 1s", "ms5"};
	uint64_t ns;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(opts__parse_duration(good[i].in, &ns), 0);
		assert_int_equal(ns, good[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(opts__parse_duration(bad[i], &ns), -EINVAL);
}

static void maps_bias(void **state)
{
	static const char non_pie[] = "00400000-00401000 r--p 00000000 fd:00 1234 /usr/bin/app\n"
				      "00401000-0047f000 r-xp 00001000 fd:00 1234 /usr/bin/app\n"
				      "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n";
	static const char pie[] =
	    "55d0c0000000-55d0c0001000 r--p 00000000 fd:00 99 /srv/app (deleted)\n"
	    "55d0c0001000-55d0c0080000 r-xp 00001000 fd:00 99 /srv/app (deleted)\n";
	uint64_t bias = 1;

	(void)state;
	assert_int_equal(procmaps__bias(non_pie, 1234, 0x400000, &bias), 0);
	assert_int_equal(bias, 0);
	assert_int_equal(procmaps__bias(pie, 99, 0, &bias), 0);
	assert_int_equal(bias, 0x55d0c0000000ULL);
	assert_int_equal(procmaps__bias(pie, 100, 0, &bias), -ENOENT);
	assert_int_equal(procmaps__bias("garbage\n\n-", 99, 0, &bias), -ENOENT);
	assert_int_equal(procmaps__bias("", 99, 0, &bias), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(durations),
	    cmocka_unit_test(maps_bias),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
