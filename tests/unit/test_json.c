/* The JSON view: a fixture report against its expected line, and the
 * string escaping that keeps any name from breaking the stream.
 * LINGER_UPDATE_GOLDEN=1 rewrites fixtures/report.json: check it by eye. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "json.h"
#include "report.h"

#include "fixture_report.h"
#include "golden.h"

static void test_fixture(void **state)
{
	struct report r;
	struct buf b = {0};
	size_t once;

	(void)state;
	fixture__report(&r);
	assert_int_equal(json__render(&r, &b), 0);
	golden__check(&b, "report.json");
	/* One line: the only newline ends it. */
	assert_ptr_equal(strchr(b.data, '\n'), b.data + b.len - 1);
	/* Appends: a second render doubles the buffer. */
	once = b.len;
	assert_int_equal(json__render(&r, &b), 0);
	assert_int_equal(b.len, 2 * once);
	buf__free(&b);
	report__free(&r);
}

static void test_empty(void **state)
{
	struct report r = {0};
	struct buf b = {0};

	(void)state;
	r.final = true;
	r.hdr.target_exited = true;
	r.hdr.pid = -1;
	r.hdr.spawn_rate = NAN;
	r.hdr.exit_rate = -3.0;
	assert_int_equal(json__render(&r, &b), 0);
	assert_string_equal(b.data,
			    "{\"pid\":-1,\"exe\":\"\",\"go_version\":\"\",\"elapsed_ns\":0,"
			    "\"final\":true,\"target_exited\":true,\"live\":0,\"spawn_rate\":0.0,"
			    "\"exit_rate\":0.0,\"events\":0,\"drops\":0,\"evictions\":0,"
			    "\"suspects\":0,\"suspect_stack_bytes\":0,\"gc_cycles\":0,"
			    "\"growth_per_s\":0.0,\"growth_alarm\":\"none\",\"sites\":[]}\n");
	buf__free(&b);
	assert_int_equal(json__render(NULL, &b), -EINVAL);
	assert_int_equal(json__render(&r, NULL), -EINVAL);
}

static void test_escaping(void **state)
{
	struct report r = {0};
	struct report_site site;
	struct buf b = {0};
	const char *p;

	(void)state;
	/* Quote, backslash, the short-escape controls, other controls, DEL,
	 * UTF-8 and a stray high byte. */
	snprintf(r.hdr.exe, sizeof(r.hdr.exe), "a\"b\\c\nd\te\r\x01\x1f\x7f é\xff/");
	/* Exactly full: no NUL inside the array. */
	memset(r.hdr.go_version, 'g', sizeof(r.hdr.go_version));
	r.hdr.spawn_rate = 0.06;
	r.hdr.exit_rate = 1234567.94;
	r.hdr.elapsed_ns = UINT64_MAX;
	memset(&site, 0, sizeof(site));
	snprintf(site.start_func, sizeof(site.start_func), "main.\"quoted\"");
	snprintf(site.go_site.func, sizeof(site.go_site.func), "C:\\go");
	/* A wait reason without a name is null, like none at all. */
	site.has_wait_reason = true;
	site.wait_reason = 3;
	site.mean_ns = 1.5;
	site.stddev_ns = NAN;
	site.threshold_ns = 1e300;
	site.oldest_ns = UINT64_MAX;
	site.leak_per_min = NAN;
	site.verdict = VERDICT_GROWING;
	r.sites = &site;
	r.nsites = 1;
	assert_int_equal(json__render(&r, &b), 0);
	assert_non_null(strstr(
	    b.data, "\"exe\":\"a\\\"b\\\\c\\u000ad\\u0009e\\u000d\\u0001\\u001f\x7f é\xff/\""));
	p = strstr(b.data, "\"go_version\":\"");
	assert_non_null(p);
	p += strlen("\"go_version\":\"");
	assert_int_equal(strspn(p, "g"), sizeof(r.hdr.go_version));
	assert_int_equal(p[sizeof(r.hdr.go_version)], '"');
	assert_non_null(strstr(b.data, "\"elapsed_ns\":18446744073709551615,"));
	assert_non_null(strstr(b.data, "\"spawn_rate\":0.1,\"exit_rate\":1234567.9,"));
	assert_non_null(strstr(b.data, "{\"start_func\":\"main.\\\"quoted\\\"\","));
	assert_non_null(
	    strstr(b.data, "\"go_site\":{\"func\":\"C:\\\\go\",\"file\":\"\",\"line\":0}"));
	assert_non_null(strstr(b.data, "\"wait_reason\":null,"));
	assert_non_null(strstr(b.data, "\"mean_ns\":2,\"stddev_ns\":0,"
				       "\"threshold_ns\":18446744073709551615,"));
	assert_non_null(strstr(b.data, "\"oldest_ns\":18446744073709551615,"));
	/* A rate that is not a number is written as 0. */
	assert_non_null(strstr(b.data, "\"leak_per_min\":0.0,\"growth_alarm\":\"none\","
				       "\"verdict\":\"growing\"}]}\n"));
	buf__free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
