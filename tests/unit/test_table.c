/* The table view: a fixture report against golden screens, truncation by
 * height and width, display columns of UTF-8, and the human units.
 * LINGER_UPDATE_GOLDEN=1 rewrites the golden files: check them by eye. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "report.h"
#include "table.h"

#include "fixture_report.h"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		return strdup("");
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = calloc(1, (size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return data;
}

/* Display columns the way a UTF-8 terminal counts them for this text:
 * one per code point. Also checks the text is valid UTF-8. */
static size_t cols(const char *s, size_t n)
{
	size_t i = 0, c = 0, len, k;
	const unsigned char *u = (const unsigned char *)s;

	while (i < n) {
		len = u[i] < 0x80 ? 1 : u[i] < 0xe0 ? 2 : u[i] < 0xf0 ? 3 : 4;
		assert_true(u[i] < 0x80 || u[i] >= 0xc2);
		assert_true(i + len <= n);
		for (k = 1; k < len; k++)
			assert_int_equal(u[i + k] & 0xc0, 0x80);
		i += len;
		c++;
	}
	return c;
}

/* Checks the screen's shape; returns its number of lines. */
static size_t check_shape(const struct buf *b, int width, int height)
{
	size_t lines = 0, start = 0, i;

	for (i = 0; i < b->len; i++) {
		if (b->data[i] != '\n')
			continue;
		assert_true(cols(b->data + start, i - start) <= (size_t)width);
		/* No trailing blanks, no escape codes. */
		assert_true(i == start || b->data[i - 1] != ' ');
		assert_null(memchr(b->data + start, '\x1b', i - start));
		lines++;
		start = i + 1;
	}
	/* Every line ends in a newline. */
	assert_int_equal(start, b->len);
	assert_true(lines <= (size_t)height);
	return lines;
}

/* The n-th line (from 0), without its newline, into dst. */
static void line_of(const struct buf *b, size_t n, char *dst, size_t size)
{
	const char *p = b->data, *e;

	while (n--) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	e = strchr(p, '\n');
	assert_non_null(e);
	assert_true((size_t)(e - p) < size);
	memcpy(dst, p, (size_t)(e - p));
	dst[e - p] = '\0';
}

static void golden(int width, int height, const char *name)
{
	char path[512];
	struct report r;
	struct buf b = {0}, again = {0};
	char *want;

	fixture__report(&r);
	assert_int_equal(table__render(&r, width, height, &b), 0);
	check_shape(&b, width, height);
	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
	if (getenv("LINGER_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fwrite(b.data, 1, b.len, f);
		fclose(f);
	}
	want = read_file(path);
	if (strcmp(b.data, want))
		fprintf(stderr, "--- want %s\n%s--- got\n%s", name, want, b.data);
	assert_string_equal(b.data, want);
	/* Pure: the same input renders the same screen. */
	assert_int_equal(table__render(&r, width, height, &again), 0);
	assert_string_equal(again.data, b.data);
	free(want);
	buf__free(&b);
	buf__free(&again);
	report__free(&r);
}

static void test_golden_80x24(void **state)
{
	(void)state;
	golden(80, 24, "table_80x24.txt");
}

static void test_golden_160x50(void **state)
{
	(void)state;
	golden(160, 50, "table_160x50.txt");
}

static struct report many_sites(size_t n)
{
	struct report r = {0};
	size_t i;

	r.hdr.pid = 1;
	r.sites = calloc(n, sizeof(*r.sites));
	assert_non_null(r.sites);
	r.nsites = n;
	for (i = 0; i < n; i++) {
		struct report_site *s = &r.sites[i];

		s->key = i;
		s->live = n - i;
		s->verdict = VERDICT_WARMING;
		snprintf(s->go_site.func, sizeof(s->go_site.func), "main.spawner%zu", i);
		snprintf(s->go_site.file, sizeof(s->go_site.file),
			 "/a/very/long/path/to/pkg/f%zu.go", i);
		s->go_site.line = (uint32_t)i + 1;
		snprintf(s->blocked_at.func, sizeof(s->blocked_at.func), "main.waitForWork");
		snprintf(s->blocked_at.file, sizeof(s->blocked_at.file), "/a/x.go");
		s->blocked_at.line = 1;
	}
	return r;
}

static void test_truncation(void **state)
{
	struct report r = many_sites(100);
	struct buf b = {0};
	char line[1024];
	int h, w;

	(void)state;
	assert_int_equal(table__render(&r, 80, 24, &b), 0);
	assert_int_equal(check_shape(&b, 80, 24), 24);
	/* Four header lines, 19 sites, and the rest counted. */
	/* A cut location keeps its file:line, with some of its function
	 * when that is at least 8 columns. */
	line_of(&b, 4, line, sizeof(line));
	assert_non_null(strstr(line, "  f0.go:1           main.wai~ x.go:1"));
	line_of(&b, 22, line, sizeof(line));
	assert_non_null(strstr(line, "  f18.go:19         main.wai~ x.go:1"));
	line_of(&b, 23, line, sizeof(line));
	assert_string_equal(line, "… 81 more sites");
	buf__reset(&b);

	/* Exactly as many as fit: no "more" line. */
	r.nsites = 20;
	assert_int_equal(table__render(&r, 80, 24, &b), 0);
	assert_int_equal(check_shape(&b, 80, 24), 24);
	line_of(&b, 23, line, sizeof(line));
	assert_non_null(strstr(line, "  f19.go:20  "));
	buf__reset(&b);
	r.nsites = 21;
	assert_int_equal(table__render(&r, 80, 24, &b), 0);
	line_of(&b, 23, line, sizeof(line));
	assert_string_equal(line, "… 2 more sites");
	buf__reset(&b);
	r.nsites = 100;

	/* Every height and width: the shape holds. */
	for (h = 0; h <= 8; h++) {
		for (w = 1; w <= 240; w++) {
			size_t lines;

			assert_int_equal(table__render(&r, w, h, &b), 0);
			lines = check_shape(&b, w, h);
			assert_int_equal(lines, (size_t)h);
			buf__reset(&b);
		}
	}
	assert_int_equal(table__render(&r, 80, 5, &b), 0);
	line_of(&b, 4, line, sizeof(line));
	assert_string_equal(line, "… 100 more sites");
	buf__reset(&b);
	assert_int_equal(table__render(&r, 80, 6, &b), 0);
	line_of(&b, 5, line, sizeof(line));
	assert_string_equal(line, "… 99 more sites");
	buf__reset(&b);
	/* One site too many takes the last line: "more" is never one. */
	r.nsites = 2;
	assert_int_equal(table__render(&r, 80, 5, &b), 0);
	line_of(&b, 4, line, sizeof(line));
	assert_string_equal(line, "… 2 more sites");
	buf__reset(&b);
	r.nsites = 3;
	assert_int_equal(table__render(&r, 80, 6, &b), 0);
	line_of(&b, 5, line, sizeof(line));
	assert_string_equal(line, "… 2 more sites");
	buf__reset(&b);
	r.nsites = 100;
	assert_int_equal(table__render(&r, 80, 0, &b), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(table__render(&r, 0, 24, &b), -EINVAL);
	assert_int_equal(table__render(NULL, 80, 24, &b), -EINVAL);
	buf__free(&b);
	report__free(&r);
}

/* Display column where the first needle ends in s. */
static size_t end_col(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);

	assert_non_null(p);
	return cols(s, (size_t)(p - s) + strlen(needle));
}

/* σ (two bytes), µ (two) and — (three) are one column each: right-aligned
 * labels and values end in the same column, and a line exactly as wide as
 * the screen is not cut. */
static void test_unicode_width(void **state)
{
	static const char header[] = "VERDICT  SUSPECTS  LIVE  EXITED    MEAN       σ  THRESHOLD  "
				     "OLDEST  WAIT REASON  CREATED AT  BLOCKED AT";
	struct report r;
	struct buf b = {0};
	char head[1024], row[1024];

	(void)state;
	fixture__report(&r);
	assert_int_equal(table__render(&r, 200, 24, &b), 0);
	line_of(&b, 3, head, sizeof(head));
	/* The ok site: mean 850µs, sigma 2.3ms, threshold 7.8ms. */
	line_of(&b, 6, row, sizeof(row));
	assert_non_null(strstr(row, "net/http"));
	assert_int_equal(end_col(head, "MEAN"), end_col(row, "850µs"));
	assert_int_equal(end_col(head, "σ"), end_col(row, "2.3ms"));
	assert_int_equal(end_col(head, "THRESHOLD"), end_col(row, "7.8ms"));
	assert_int_equal(end_col(head, "OLDEST"), end_col(row, "1.5s"));
	/* Left-aligned columns start where their labels do. */
	assert_int_equal(end_col(head, "WAIT REASON") - 11, end_col(row, "IO wait") - 7);
	report__free(&r);
	buf__reset(&b);

	memset(&r, 0, sizeof(r));
	assert_int_equal(table__render(&r, 200, 10, &b), 0);
	line_of(&b, 3, head, sizeof(head));
	assert_string_equal(head, header);
	assert_int_equal(cols(head, strlen(head)), strlen(head) - 1);
	buf__reset(&b);

	/* The title: "linger — PID 7   up 0ns" is 23 columns, 25 bytes. */
	r.hdr.pid = 7;
	assert_int_equal(table__render(&r, 23, 1, &b), 0);
	assert_string_equal(b.data, "linger — PID 7   up 0ns\n");
	buf__reset(&b);
	assert_int_equal(table__render(&r, 22, 1, &b), 0);
	assert_string_equal(b.data, "linger — PID 7   up 0n\n");
	buf__reset(&b);
	/* Cut right after the dash, never inside it. */
	assert_int_equal(table__render(&r, 8, 1, &b), 0);
	assert_string_equal(b.data, "linger —\n");
	buf__reset(&b);
	assert_int_equal(table__render(&r, 7, 1, &b), 0);
	assert_string_equal(b.data, "linger\n");
	buf__reset(&b);

	/* Multibyte names are cut on character boundaries, with a '~'. */
	r.sites = calloc(1, sizeof(*r.sites));
	assert_non_null(r.sites);
	r.nsites = 1;
	snprintf(r.sites[0].go_site.func, sizeof(r.sites[0].go_site.func),
		 "main.ÄÖÜäöüßéèêσ—…ÄÖÜäöüßéèêσ—…ÄÖÜäöüßéèêσ—…ÄÖÜäöüßéèêσ—…");
	snprintf(r.sites[0].blocked_at.func, sizeof(r.sites[0].blocked_at.func), "x");
	assert_int_equal(table__render(&r, 80, 10, &b), 0);
	check_shape(&b, 80, 10);
	line_of(&b, 4, row, sizeof(row));
	assert_non_null(strstr(row, "main.ÄÖÜ"));
	assert_non_null(strstr(row, "~  x"));
	buf__free(&b);
	report__free(&r);
}

/* Names come from the target: control bytes must not reach the terminal. */
static void test_control_bytes(void **state)
{
	struct report r = {0};
	struct buf b = {0};
	char line[1024];

	(void)state;
	snprintf(r.hdr.exe, sizeof(r.hdr.exe), "/tmp/\x1b[31mevil\n\xc2\x9b");
	assert_int_equal(table__render(&r, 80, 1, &b), 0);
	line_of(&b, 0, line, sizeof(line));
	assert_string_equal(line, "linger — PID 0 /tmp/?[31mevil??   up 0ns");
	buf__free(&b);
}

static void test_units(void **state)
{
	static const struct {
		uint64_t ns;
		const char *s;
	} durs[] = {
	    {0, "0ns"},
	    {999, "999ns"},
	    {1000, "1.0µs"},
	    {1549, "1.5µs"},
	    {9949, "9.9µs"},
	    {9950, "10µs"},
	    {850000, "850µs"},
	    {999499, "999µs"},
	    {999500, "1.0ms"},
	    {1500000, "1.5ms"},
	    {12000000, "12ms"},
	    {12400000, "12ms"},
	    {999600000, "1.0s"},
	    {1500000000ULL, "1.5s"},
	    {9960000000ULL, "10s"},
	    {42000000000ULL, "42s"},
	    {59600000000ULL, "1m00s"},
	    {302000000000ULL, "5m02s"},
	    {3599400000000ULL, "59m59s"},
	    {3599600000000ULL, "1h00m"},
	    {11040000000000ULL, "3h04m"},
	    {86369000000000ULL, "23h59m"},
	    {86400000000000ULL, "1d00h"},
	    {183600000000000ULL, "2d03h"},
	    {8636400000000000ULL, "99d23h"},
	    {8639999000000000ULL, "100d"},
	    {31536000000000000ULL, "365d"},
	    {UINT64_MAX, "213504d"},
	};
	static const struct {
		uint64_t n;
		const char *s;
	} counts[] = {
	    {0, "0"},
	    {999, "999"},
	    {1000, "1.0k"},
	    {1234, "1.2k"},
	    {9949, "9.9k"},
	    {9950, "10k"},
	    {15000, "15k"},
	    {999499, "999k"},
	    {999500, "1.0M"},
	    {1234567, "1.2M"},
	    {15000000, "15M"},
	    {1000000000, "1.0G"},
	    {UINT64_MAX, "18E"},
	};
	char s[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		n = table__fmt_duration(durs[i].ns, s, sizeof(s));
		assert_string_equal(s, durs[i].s);
		assert_int_equal(n, strlen(durs[i].s));
		if (durs[i].ns < 8640000000000000ULL)
			assert_true(cols(s, n) <= 6);
	}
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		n = table__fmt_count(counts[i].n, s, sizeof(s));
		assert_string_equal(s, counts[i].s);
		assert_true(n <= 4);
	}
	/* Cut to the buffer, still terminated. */
	n = table__fmt_duration(302000000000ULL, s, 3);
	assert_int_equal(n, 2);
	assert_string_equal(s, "5m");
	assert_int_equal(table__fmt_count(1234, s, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_80x24),  cmocka_unit_test(test_golden_160x50),
	    cmocka_unit_test(test_truncation),	  cmocka_unit_test(test_unicode_width),
	    cmocka_unit_test(test_control_bytes), cmocka_unit_test(test_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
