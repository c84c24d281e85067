/* The table view: a fixture report against golden screens (main, detail
 * and help), truncation by height and width, the columns each width keeps,
 * the view's rows, selection, scroll and status line, display columns of
 * UTF-8, and the human units.
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
#include "golden.h"

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

/* What the fixture lacks and the live table shows: leak rates, memory
 * held, ages. Set by key, so the report's order does not matter. */
static void fixture__extras(struct report *r)
{
	static const struct {
		uint64_t key;
		double leak_per_min;
		uint64_t held;
		uint32_t ages[REPORT_AGE_BUCKETS];
		double spawn, exit;
	} x[] = {
	    {17, 27.5, 137 * 8192, {0, 2, 1, 0, 0, 12, 125, 0}, 160.7, 160.2},
	    {23, 4.8, 0, {0, 0, 0, 0, 0, 0, 24, 0}, 0.1, 0},
	    {5, 0.4, 24 * 4096, {310, 420, 200, 46, 24, 0, 0, 0}, 650, 649.5},
	    {9, 0, 0, {0, 1, 1, 0, 0, 0, 0, 0}, 3, 3},
	    {3, 0, 0, {0, 0, 0, 0, 0, 1, 0, 0}, 0, 0},
	};
	size_t i, j;

	r->hdr.suspect_stack_bytes = 137 * 8192 + 24 * 4096;
	for (i = 0; i < r->nsites; i++) {
		struct report_site *s = &r->sites[i];

		for (j = 0; j < sizeof(x) / sizeof(x[0]); j++) {
			if (x[j].key != s->key)
				continue;
			s->leak_per_min = x[j].leak_per_min;
			s->suspect_stack_bytes = x[j].held;
			memcpy(s->age_hist, x[j].ages, sizeof(s->age_hist));
			s->spawn_rate = x[j].spawn;
			s->exit_rate = x[j].exit;
		}
	}
}

static struct report fixture(void)
{
	struct report r;

	fixture__report(&r);
	fixture__extras(&r);
	return r;
}

/* The leak site's stacks, as the session would unwind them. */
static void fixture__detail(struct site_detail *d)
{
	static const struct {
		const char *func, *file;
		uint32_t line;
	} created[] =
	    {
		{"main.(*Server).handleOrder", "/src/orders/server.go", 142},
		{"main.(*Server).ServeHTTP", "/src/orders/server.go", 88},
		{"net/http.HandlerFunc.ServeHTTP", "/usr/local/go/src/net/http/server.go", 2171},
		{"net/http.serverHandler.ServeHTTP", "/usr/local/go/src/net/http/server.go", 3142},
		{"net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go", 2044},
		{"runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s", 1700},
	    },
	  blocked[] = {
	      {"runtime.gopark", "/usr/local/go/src/runtime/proc.go", 424},
	      {"runtime.chansend", "/usr/local/go/src/runtime/chan.go", 270},
	      {"runtime.chansend1", "/usr/local/go/src/runtime/chan.go", 161},
	      {"main.(*Server).handleOrder.func1", "/src/orders/server.go", 151},
	      {"runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s", 1700},
	  };
	size_t i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < sizeof(created) / sizeof(created[0]); i++)
		fixture__frame(&d->created[d->ncreated++], created[i].func, created[i].file,
			       created[i].line);
	for (i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
		fixture__frame(&d->blocked[d->nblocked++], blocked[i].func, blocked[i].file,
			       blocked[i].line);
}

/* The view the live table starts with: report order, VERDICT marked,
 * the first row selected, the hint on. */
static struct table_view live_view(void)
{
	struct table_view v = {
	    .sorted = true,
	    .sort_col = TABLE_COL_VERDICT,
	    .selected = 0,
	    .hints = true,
	};

	return v;
}

static struct report_site *site_by_key(struct report *r, uint64_t key)
{
	size_t i;

	for (i = 0; i < r->nsites; i++)
		if (r->sites[i].key == key)
			return &r->sites[i];
	fail_msg("no site %llu", (unsigned long long)key);
	return NULL;
}

static void golden(int width, int height, const char *name)
{
	struct report r = fixture();
	struct table_view v = live_view();
	unsigned char styles[64];
	struct buf b = {0}, again = {0};

	assert_int_equal(table__render_view(&r, &v, width, height, &b, styles), 0);
	check_shape(&b, width, height);
	golden__check(&b, name);
	/* Pure: the same input renders the same screen. */
	assert_int_equal(table__render_view(&r, &v, width, height, &again, NULL), 0);
	assert_string_equal(again.data, b.data);
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

static void golden_detail(int width, int height, const char *name)
{
	struct report r = fixture();
	struct table_view v = live_view();
	struct site_detail d;
	struct buf b = {0};
	unsigned char styles[64];
	size_t max = 99;

	fixture__detail(&d);
	assert_int_equal(table__render_detail(&r, site_by_key(&r, 17), &d, &v, 0, width, height, &b,
					      styles, &max),
			 0);
	check_shape(&b, width, height);
	golden__check(&b, name);
	buf__free(&b);
	report__free(&r);
}

static void test_golden_detail_80x24(void **state)
{
	(void)state;
	golden_detail(80, 24, "table_detail_80x24.txt");
}

static void test_golden_detail_160x50(void **state)
{
	(void)state;
	golden_detail(160, 50, "table_detail_160x50.txt");
}

static void test_golden_help_80x24(void **state)
{
	struct buf b = {0};
	unsigned char styles[24];

	(void)state;
	assert_int_equal(table__render_help(80, 24, &b, styles), 0);
	/* Every key and every column fits on the smallest usual terminal. */
	assert_int_equal(check_shape(&b, 80, 24), 24);
	golden__check(&b, "table_help_80x24.txt");
	assert_int_equal(styles[0], TABLE_STYLE_TITLE);
	buf__free(&b);
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
	/* Five header lines, 18 sites, and the rest counted. At 80 columns
	 * CREATED AT stands alone and has room for the function and line. */
	line_of(&b, 5, line, sizeof(line));
	assert_non_null(strstr(line, "  main.spawner0 f0.go:1"));
	assert_null(strstr(line, "waitForWork"));
	line_of(&b, 22, line, sizeof(line));
	assert_non_null(strstr(line, "  main.spawner17 f17.go:18"));
	line_of(&b, 23, line, sizeof(line));
	assert_string_equal(line, "… 82 more sites");
	buf__reset(&b);

	/* Exactly as many as fit: no "more" line. */
	r.nsites = 19;
	assert_int_equal(table__render(&r, 80, 24, &b), 0);
	assert_int_equal(check_shape(&b, 80, 24), 24);
	line_of(&b, 23, line, sizeof(line));
	assert_non_null(strstr(line, "  main.spawner18 f18.go:19"));
	buf__reset(&b);
	r.nsites = 20;
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
	assert_int_equal(table__render(&r, 80, 6, &b), 0);
	line_of(&b, 5, line, sizeof(line));
	assert_string_equal(line, "… 100 more sites");
	buf__reset(&b);
	assert_int_equal(table__render(&r, 80, 7, &b), 0);
	line_of(&b, 6, line, sizeof(line));
	assert_string_equal(line, "… 99 more sites");
	buf__reset(&b);
	/* One site too many takes the last line: "more" is never one. */
	r.nsites = 2;
	assert_int_equal(table__render(&r, 80, 6, &b), 0);
	line_of(&b, 5, line, sizeof(line));
	assert_string_equal(line, "… 2 more sites");
	buf__reset(&b);
	r.nsites = 3;
	assert_int_equal(table__render(&r, 80, 7, &b), 0);
	line_of(&b, 6, line, sizeof(line));
	assert_string_equal(line, "… 2 more sites");
	buf__reset(&b);
	r.nsites = 100;
	assert_int_equal(table__page_rows(24, 100), 18);
	assert_int_equal(table__page_rows(24, 19), 19);
	assert_int_equal(table__page_rows(24, 20), 18);
	assert_int_equal(table__page_rows(5, 3), 0);
	assert_int_equal(table__page_rows(6, 3), 0);
	assert_int_equal(table__page_rows(6, 1), 1);
	assert_int_equal(table__render(&r, 80, 0, &b), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(table__render(&r, 0, 24, &b), -EINVAL);
	assert_int_equal(table__render(NULL, 80, 24, &b), -EINVAL);
	buf__free(&b);
	report__free(&r);
}

/* The column labels line of a screen. */
static void labels_of(const struct report *r, int width, char *dst, size_t size)
{
	struct buf b = {0};

	assert_int_equal(table__render(r, width, 24, &b), 0);
	line_of(&b, 4, dst, size);
	buf__free(&b);
}

/* The cell of the column labelled label in row (both lines of a screen),
 * up to the next gap. */
static void cell_at(const char *labels, const char *row, const char *label, char *dst, size_t size)
{
	const char *p = strstr(labels, label), *r = row, *e;
	size_t col, i;

	assert_non_null(p);
	col = cols(labels, (size_t)(p - labels));
	for (i = 0; i < col && *r; i++)
		r += ((unsigned char)*r < 0x80) ? 1 : ((unsigned char)*r < 0xe0) ? 2 : 3;
	e = strstr(r, "  ");
	if (!e)
		e = r + strlen(r);
	assert_true((size_t)(e - r) < size);
	memcpy(dst, r, (size_t)(e - r));
	dst[e - r] = '\0';
}

/* Every width shows a long location in one of the allowed forms, and the
 * one that keeps the line number beside a cut name does come up. */
static void cut_forms(void)
{
	static const char name[] = "example.com/orders/server.(*OrderServer).handleIncoming";
	static const char shortname[] = "server.(*OrderServer).handleIncoming";
	struct report r = many_sites(1);
	bool seen_tail = false, seen_whole = false, seen_cut = false;
	char labels[1024], row[1024], cell[1024];
	struct buf b = {0};
	int w;

	snprintf(r.sites[0].go_site.func, sizeof(r.sites[0].go_site.func), "%s", name);
	snprintf(r.sites[0].go_site.file, sizeof(r.sites[0].go_site.file), "/src/server.go");
	r.sites[0].go_site.line = 142;
	snprintf(r.sites[0].blocked_at.func, sizeof(r.sites[0].blocked_at.func),
		 "example.com/orders/server.(*OrderServer).handleIncoming.func1");
	for (w = 70; w <= 240; w++) {
		size_t n;

		assert_int_equal(table__render(&r, w, 24, &b), 0);
		line_of(&b, 4, labels, sizeof(labels));
		line_of(&b, 5, row, sizeof(row));
		cell_at(labels, row, "CREATED AT", cell, sizeof(cell));
		n = strlen(cell);
		if (!strcmp(cell, "example.com/orders/server.(*OrderServer).handleIncoming "
				  "server.go:142") ||
		    !strcmp(cell, "server.(*OrderServer).handleIncoming server.go:142")) {
		} else if (!strcmp(cell, shortname)) {
			seen_whole = true;
		} else if (n > 15 && !strcmp(cell + n - 15, "~ server.go:142")) {
			/* A cut name beside the line: at least 12 columns of it. */
			assert_true(cols(cell, n - 14) >= 13);
			assert_true(strncmp(cell, shortname, n - 15) == 0);
			seen_tail = true;
		} else {
			assert_true(n > 1 && cell[n - 1] == '~');
			assert_true(strncmp(cell, shortname, n - 1) == 0);
			seen_cut = true;
		}
		buf__reset(&b);
	}
	assert_true(seen_tail);
	assert_true(seen_whole);
	assert_true(seen_cut);
	buf__free(&b);
	report__free(&r);
}

/* Which columns each width keeps, and how a location is cut. */
static void test_layout(void **state)
{
	struct report r = fixture();
	struct buf b = {0};
	char head[1024], row[1024];

	(void)state;
	/* 80: what says how bad and where; the threshold's inputs, HELD
	 * and BLOCKED AT (in the detail view) give way. */
	labels_of(&r, 80, head, sizeof(head));
	assert_string_equal(head,
			    "VERDICT  SUSPECTS  LIVE  LEAK/MIN  OLDEST  WAIT REASON   CREATED AT");
	/* 120: HELD and BLOCKED AT come back. */
	labels_of(&r, 120, head, sizeof(head));
	assert_string_equal(head,
			    "VERDICT  SUSPECTS  LIVE  LEAK/MIN    HELD  OLDEST  WAIT REASON    "
			    "      CREATED AT               BLOCKED AT");
	/* 220: everything. */
	labels_of(&r, 220, head, sizeof(head));
	assert_non_null(strstr(head, "EXITED    MEAN       σ  THRESHOLD  OLDEST"));
	assert_non_null(strstr(head, "BLOCKED AT"));

	/* Cut locations lose the import path first, then file:line when the
	 * name then fits whole, else the end of the name: the line number
	 * stays while 12 columns of name do. */
	assert_int_equal(table__render(&r, 120, 24, &b), 0);
	line_of(&b, 5, row, sizeof(row));
	assert_non_null(strstr(row, "  main.(*Server).handleO~  main.(*Server).handleO~"));
	line_of(&b, 7, row, sizeof(row));
	assert_non_null(strstr(row, "  http.(*Server).Serve     "));
	assert_null(strstr(row, "net/http"));
	buf__reset(&b);
	cut_forms();

	/* LEAK/MIN only for findings, HELD only with suspects. */
	assert_int_equal(table__render(&r, 220, 24, &b), 0);
	line_of(&b, 5, row, sizeof(row));
	assert_true(strncmp(row, "leak", 4) == 0);
	assert_non_null(strstr(row, "      27.5  1.1MiB"));
	line_of(&b, 6, row, sizeof(row));
	assert_non_null(strstr(row, "       4.8       -"));
	line_of(&b, 7, row, sizeof(row));
	assert_non_null(strstr(row, "         -   96KiB"));
	buf__free(&b);
	report__free(&r);
}

/* The view: rows chosen and ordered by the caller, the selection, the
 * scroll, the sort mark and the status line; styles per line. */
static void test_view(void **state)
{
	struct report r = many_sites(30);
	struct table_view v = live_view();
	unsigned char styles[24];
	size_t order[30], i;
	struct buf b = {0};
	char line[1024];

	(void)state;
	for (i = 0; i < 30; i++)
		order[i] = 29 - i;
	r.sites[29].verdict = VERDICT_LEAK;
	r.sites[28].verdict = VERDICT_GROWING;
	snprintf(r.hdr.exe, sizeof(r.hdr.exe), "/bin/x");
	v.order = order;
	v.nrows = 30;
	v.selected = 1;
	assert_int_equal(table__render_view(&r, &v, 80, 24, &b, styles), 0);
	assert_int_equal(check_shape(&b, 80, 24), 24);
	line_of(&b, 2, line, sizeof(line));
	assert_string_equal(line, "suspects 0  sort VERDICT▼  h help");
	line_of(&b, 4, line, sizeof(line));
	assert_true(strncmp(line, "VERDICT▼  SUSPECTS", strlen("VERDICT▼  SUSPECTS")) == 0);
	line_of(&b, 5, line, sizeof(line));
	assert_non_null(strstr(line, "  main.spawner29"));
	assert_int_equal(styles[0], TABLE_STYLE_TITLE);
	assert_int_equal(styles[1], TABLE_STYLE_PLAIN);
	assert_int_equal(styles[2], TABLE_STYLE_PLAIN);
	assert_int_equal(styles[4], TABLE_STYLE_LABELS);
	assert_int_equal(styles[5], TABLE_STYLE_LEAK);
	assert_int_equal(styles[6], TABLE_STYLE_GROWING | TABLE_STYLE_SELECTED);
	assert_int_equal(styles[7], TABLE_STYLE_PLAIN);
	assert_int_equal(styles[23], TABLE_STYLE_PLAIN);
	buf__reset(&b);

	/* Scrolled: rows from top on, the rest counted; a top past the end
	 * shows the last page. */
	v.top = 10;
	v.selected = 12;
	assert_int_equal(table__render_view(&r, &v, 80, 24, &b, styles), 0);
	line_of(&b, 5, line, sizeof(line));
	assert_non_null(strstr(line, "  main.spawner19"));
	assert_int_equal(styles[7], TABLE_STYLE_SELECTED);
	line_of(&b, 23, line, sizeof(line));
	assert_string_equal(line, "… 12 more sites");
	buf__reset(&b);
	v.top = 1000;
	assert_int_equal(table__render_view(&r, &v, 80, 24, &b, NULL), 0);
	line_of(&b, 5, line, sizeof(line));
	assert_non_null(strstr(line, "  main.spawner17"));
	buf__reset(&b);

	/* The status line: pause, filter applied or being typed, sort. */
	v.top = 0;
	v.nrows = 3;
	v.paused = true;
	v.filter = "spawner2";
	v.sort_col = TABLE_COL_CREATED;
	v.ascending = true;
	assert_int_equal(table__render_view(&r, &v, 120, 24, &b, styles), 0);
	line_of(&b, 2, line, sizeof(line));
	assert_string_equal(
	    line, "suspects 0  PAUSED  filter \"spawner2\" 3/30  sort CREATED AT▲  h help");
	assert_int_equal(styles[2], TABLE_STYLE_NOTICE);
	line_of(&b, 4, line, sizeof(line));
	assert_non_null(strstr(line, "  CREATED AT▲"));
	assert_int_equal(check_shape(&b, 120, 24), 5 + 3);
	buf__reset(&b);
	v.paused = false;
	v.editing = "sp\x1b";
	r.hdr.target_exited = true;
	r.hdr.suspects = 1500;
	r.hdr.suspect_stack_bytes = 3ULL << 30;
	assert_int_equal(table__render_view(&r, &v, 120, 24, &b, styles), 0);
	line_of(&b, 2, line, sizeof(line));
	assert_string_equal(line, "suspects 1.5k holding 3.0GiB  [target exited]  filter: sp?_  "
				  "sort CREATED AT▲  h help");
	assert_int_equal(styles[2], TABLE_STYLE_NOTICE);
	buf__reset(&b);
	/* The hint is the first thing to go when the line is too wide. */
	assert_int_equal(table__render_view(&r, &v, 70, 24, &b, NULL), 0);
	line_of(&b, 2, line, sizeof(line));
	assert_string_equal(
	    line, "suspects 1.5k holding 3.0GiB  [target exited]  filter: sp?_  sort CREA");
	buf__reset(&b);

	/* No rows (a filter that matches nothing): the header alone. */
	v.nrows = 0;
	assert_int_equal(table__render_view(&r, &v, 80, 24, &b, NULL), 0);
	assert_int_equal(check_shape(&b, 80, 24), 5);
	buf__reset(&b);
	/* An order entry out of range is refused, not read. */
	order[0] = 30;
	v.nrows = 1;
	assert_int_equal(table__render_view(&r, &v, 80, 24, &b, NULL), -EINVAL);
	buf__free(&b);
	report__free(&r);
}

/* The detail screen: scrolling, missing stacks, its shape at any size. */
static void test_detail(void **state)
{
	struct report r = fixture();
	struct site_detail d;
	struct buf b = {0};
	unsigned char styles[64];
	char line[1024];
	size_t max, scroll;
	int w, h;

	(void)state;
	fixture__detail(&d);
	/* 80x24 shows it all; 80x20 shows 16 body lines of 20, the last
	 * saying what is left, and scrolling reaches the end. */
	assert_int_equal(
	    table__render_detail(&r, site_by_key(&r, 17), &d, NULL, 0, 80, 24, &b, styles, &max),
	    0);
	assert_int_equal(max, 0);
	assert_null(strstr(b.data, "more lines"));
	buf__reset(&b);
	assert_int_equal(
	    table__render_detail(&r, site_by_key(&r, 17), &d, NULL, 0, 80, 20, &b, styles, &max),
	    0);
	assert_int_equal(max, 4);
	line_of(&b, 4, line, sizeof(line));
	assert_string_equal(line, "leak  main.(*Server).handleOrder server.go:142  (go "
				  "main.(*Server).handleOrder.f");
	assert_int_equal(styles[4], TABLE_STYLE_LEAK);
	line_of(&b, 19, line, sizeof(line));
	assert_string_equal(line, "… 5 more lines");
	buf__reset(&b);
	for (scroll = 4; scroll < 7; scroll++) {
		assert_int_equal(table__render_detail(&r, site_by_key(&r, 17), &d, NULL, scroll, 80,
						      20, &b, styles, &max),
				 0);
		line_of(&b, 19, line, sizeof(line));
		assert_non_null(strstr(line, "main.(*Server).handleOrder.func1"));
		assert_non_null(strstr(line, "/src/orders/server.go:151"));
		assert_int_equal(check_shape(&b, 80, 20), 20);
		buf__reset(&b);
	}
	/* No stacks: said so, once per stack. */
	assert_int_equal(
	    table__render_detail(&r, site_by_key(&r, 5), NULL, NULL, 0, 80, 40, &b, styles, &max),
	    0);
	assert_int_equal(max, 0);
	assert_non_null(
	    strstr(b.data, "CREATION STACK (the go statement first)\n  (not available)\n"));
	assert_non_null(strstr(b.data, "BLOCKING STACK\n  (no parked goroutine to unwind)\n"));
	/* goexit is where every goroutine starts: not shown. */
	assert_null(strstr(b.data, "goexit"));
	buf__reset(&b);
	/* Narrow: a path loses its beginning, a function its end. */
	assert_int_equal(
	    table__render_detail(&r, site_by_key(&r, 17), &d, NULL, 12, 40, 24, &b, NULL, NULL), 0);
	assert_non_null(strstr(b.data, "  net/http.serverHa~  …tp/server.go:3142\n"));
	buf__reset(&b);
	for (h = 0; h <= 30; h++) {
		for (w = 1; w <= 200; w += (w < 30 ? 1 : 17)) {
			assert_int_equal(table__render_detail(&r, site_by_key(&r, 17), &d, NULL,
							      (size_t)h, w, h, &b, styles, NULL),
					 0);
			/* 4 header lines and 20 of body, cut to height. */
			assert_int_equal(check_shape(&b, w, h), (size_t)(h < 24 ? h : 24));
			buf__reset(&b);
		}
	}
	assert_int_equal(table__render_detail(&r, NULL, &d, NULL, 0, 80, 24, &b, NULL, NULL),
			 -EINVAL);
	assert_int_equal(table__render_help(0, 24, &b, NULL), -EINVAL);
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
	static const char header[] =
	    "VERDICT  SUSPECTS  LIVE  LEAK/MIN    HELD  EXITED    MEAN       σ  "
	    "THRESHOLD  OLDEST  WAIT REASON  CREATED AT  BLOCKED AT";
	struct report r;
	struct buf b = {0};
	char head[1024], row[1024];

	(void)state;
	fixture__report(&r);
	assert_int_equal(table__render(&r, 200, 24, &b), 0);
	line_of(&b, 4, head, sizeof(head));
	/* The ok site: mean 850µs, sigma 2.3ms, threshold 7.8ms. */
	line_of(&b, 7, row, sizeof(row));
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
	line_of(&b, 4, head, sizeof(head));
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
	assert_int_equal(table__render(&r, 120, 10, &b), 0);
	check_shape(&b, 120, 10);
	line_of(&b, 5, row, sizeof(row));
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
	static const struct {
		uint64_t n;
		const char *s;
	} sizes[] = {
	    {0, "0B"},
	    {999, "999B"},
	    {1000, "1.0KiB"},
	    {1024, "1.0KiB"},
	    {8192, "8.0KiB"},
	    {10188, "9.9KiB"},
	    {10189, "10KiB"},
	    {98304, "96KiB"},
	    {1023 * 1024, "1.0MiB"},
	    {999 * 1024, "999KiB"},
	    {1122304, "1.1MiB"},
	    {3ULL << 30, "3.0GiB"},
	    {UINT64_MAX, "16EiB"},
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
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		n = table__fmt_bytes(sizes[i].n, s, sizeof(s));
		assert_string_equal(s, sizes[i].s);
		assert_true(n <= 6);
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
	    cmocka_unit_test(test_golden_80x24),
	    cmocka_unit_test(test_golden_160x50),
	    cmocka_unit_test(test_golden_detail_80x24),
	    cmocka_unit_test(test_golden_detail_160x50),
	    cmocka_unit_test(test_golden_help_80x24),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_view),
	    cmocka_unit_test(test_detail),
	    cmocka_unit_test(test_unicode_width),
	    cmocka_unit_test(test_control_bytes),
	    cmocka_unit_test(test_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
