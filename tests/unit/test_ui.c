/* The live table's interaction as pure functions: the view state driven
 * key by key (selection, sort, reverse, filter, pause, detail, help), and
 * the terminal's key decoding and colour rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "table.h"
#include "term.h"
#include "ui.h"

#include "fixture_report.h"

#define NMAX 16

/* The fixture's sites in report order: keys 17 (leak), 23 (growing),
 * 5 (ok), the unsymbolized one ("u" below; warming), 9 (ok), 3 (warming). */
#define K_UNSYM ((1ULL << 63) | 0x4a3f10)

/* A report and the rows a view makes of it. */
struct rows {
	struct report r;
	size_t order[NMAX];
	size_t scratch[NMAX];
	size_t n;
};

static void rows__make(struct rows *w, const struct ui_view *v)
{
	assert_true(w->r.nsites <= NMAX);
	w->n = ui_view__rows(v, &w->r, w->order, w->scratch);
}

/* Keys of the rows, in order, as "k1 k2 k3". */
static const char *keys(const struct rows *w)
{
	static char s[256];
	size_t i, o = 0;

	s[0] = '\0';
	for (i = 0; i < w->n; i++) {
		uint64_t k = w->r.sites[w->order[i]].key;

		if (k == K_UNSYM)
			o += (size_t)snprintf(s + o, sizeof(s) - o, "%su", i ? " " : "");
		else
			o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%llu", i ? " " : "",
					      (unsigned long long)k);
	}
	return s;
}

/* Applies a key the way ui__input does: rows and selection settled first. */
static enum ui_action press(struct ui_view *v, struct rows *w, int key)
{
	rows__make(w, v);
	ui_view__sync(v, &w->r, w->order, w->n, v->page);
	return ui_view__key(v, key, &w->r, w->order, w->n);
}

static void type(struct ui_view *v, struct rows *w, const char *s)
{
	while (*s)
		assert_int_equal(press(v, w, (unsigned char)*s++), UI_ACT_REDRAW);
}

static uint64_t selected_key(struct ui_view *v, struct rows *w)
{
	rows__make(w, v);
	ui_view__sync(v, &w->r, w->order, w->n, v->page);
	assert_true(w->n > 0);
	return w->r.sites[w->order[v->sel]].key;
}

static void test_match(void **state)
{
	struct report r;
	size_t i, n = 0;

	(void)state;
	fixture__report(&r);
	for (i = 0; i < r.nsites; i++)
		assert_true(ui_view__match("", &r.sites[i]));
	for (i = 0; i < r.nsites; i++)
		n += ui_view__match("handleorder", &r.sites[i]);
	assert_int_equal(n, 1);
	/* Any of the three names: start function, go site, blocked at. */
	n = 0;
	for (i = 0; i < r.nsites; i++)
		n += ui_view__match("POLL", &r.sites[i]);
	assert_int_equal(n, 2); /* main.pollUpstream, internal/poll.(*FD).Read */
	n = 0;
	for (i = 0; i < r.nsites; i++)
		n += ui_view__match("connectionOpener", &r.sites[i]);
	assert_int_equal(n, 1);
	n = 0;
	for (i = 0; i < r.nsites; i++)
		n += ui_view__match("Büro", &r.sites[i]);
	assert_int_equal(n, 1);
	n = 0;
	for (i = 0; i < r.nsites; i++)
		n += ui_view__match("nothing like it", &r.sites[i]);
	assert_int_equal(n, 0);
	report__free(&r);
}

static void test_sort(void **state)
{
	struct ui_view v;
	struct rows w;
	struct table_view tv;

	(void)state;
	fixture__report(&w.r);
	ui_view__init(&v);
	rows__make(&w, &v);
	/* VERDICT is the report's own order: findings first. */
	assert_string_equal(keys(&w), "17 23 5 u 9 3");
	tv = ui_view__table(&v, w.order, w.n);
	assert_true(tv.sorted);
	assert_int_equal(tv.sort_col, TABLE_COL_VERDICT);
	assert_false(tv.ascending);

	assert_int_equal(press(&v, &w, 's'), UI_ACT_REDRAW);
	assert_int_equal(v.sort, TABLE_COL_SUSPECTS);
	rows__make(&w, &v);
	/* 137, 24, then the zeros in report order. */
	assert_string_equal(keys(&w), "17 5 23 u 9 3");
	assert_int_equal(press(&v, &w, 'r'), UI_ACT_REDRAW);
	rows__make(&w, &v);
	assert_string_equal(keys(&w), "23 u 9 3 5 17");
	tv = ui_view__table(&v, w.order, w.n);
	assert_true(tv.ascending);

	/* A new column starts in its natural order. */
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_LIVE);
	assert_false(v.reverse);
	rows__make(&w, &v);
	assert_string_equal(keys(&w), "5 17 23 u 9 3");
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_LEAK_RATE);
	rows__make(&w, &v);
	/* Only findings have a rate, fastest first (240 then 27.5 a
	 * minute); the rest keep report order below. */
	assert_string_equal(keys(&w), "23 17 5 u 9 3");
	press(&v, &w, 's');
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_EXITED);
	rows__make(&w, &v);
	assert_string_equal(keys(&w), "17 5 9 u 23 3");
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_MEAN);
	rows__make(&w, &v);
	/* Unknown means (no exits) last. */
	assert_string_equal(keys(&w), "u 9 17 5 23 3");
	press(&v, &w, 's');
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_THRESHOLD);
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_OLDEST);
	rows__make(&w, &v);
	assert_string_equal(keys(&w), "23 3 17 u 5 9");
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_WAIT);
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_CREATED);
	rows__make(&w, &v);
	/* Names A to Z, marked ▲; the unsymbolized site last. */
	assert_string_equal(keys(&w), "3 9 17 23 5 u");
	tv = ui_view__table(&v, w.order, w.n);
	assert_true(tv.ascending);
	press(&v, &w, 'r');
	tv = ui_view__table(&v, w.order, w.n);
	assert_false(tv.ascending);
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_BLOCKED);
	/* Round and back: S goes the other way. */
	press(&v, &w, 's');
	assert_int_equal(v.sort, TABLE_COL_VERDICT);
	press(&v, &w, 'S');
	assert_int_equal(v.sort, TABLE_COL_BLOCKED);
	report__free(&w.r);
}

static void test_selection(void **state)
{
	struct ui_view v;
	struct rows w;

	(void)state;
	fixture__report(&w.r);
	ui_view__init(&v);
	v.page = 3;
	/* Unpinned, the selection is the first row. */
	assert_int_equal(selected_key(&v, &w), 17);
	assert_int_equal(press(&v, &w, TERM_KEY_UP), UI_ACT_REDRAW);
	assert_int_equal(selected_key(&v, &w), 17);
	press(&v, &w, TERM_KEY_DOWN);
	assert_int_equal(selected_key(&v, &w), 23);
	press(&v, &w, 'j');
	assert_int_equal(selected_key(&v, &w), 5);
	press(&v, &w, 'k');
	assert_int_equal(selected_key(&v, &w), 23);
	assert_true(v.pinned);

	/* The next report puts the site elsewhere: the selection follows. */
	w.r.sites[1].verdict = VERDICT_LEAK;
	w.r.sites[1].suspects = 1000;
	assert_int_equal(selected_key(&v, &w), 23);
	assert_int_equal(v.sel, 0);
	w.r.sites[1].verdict = VERDICT_GROWING;
	w.r.sites[1].suspects = 0;
	assert_int_equal(selected_key(&v, &w), 23);
	assert_int_equal(v.sel, 1);
	/* The site is gone: the selection stays on its row. */
	press(&v, &w, TERM_KEY_DOWN);
	assert_int_equal(selected_key(&v, &w), 5);
	w.r.sites[2].key = 99;
	assert_int_equal(selected_key(&v, &w), 99);
	assert_int_equal(v.sel, 2);

	/* Scrolling: the first row shown follows the selection by a page. */
	press(&v, &w, TERM_KEY_END);
	assert_int_equal(v.sel, 5);
	assert_int_equal(v.top, 3);
	press(&v, &w, TERM_KEY_PGUP);
	assert_int_equal(v.sel, 3);
	assert_int_equal(v.top, 3);
	press(&v, &w, TERM_KEY_UP);
	assert_int_equal(v.sel, 2);
	assert_int_equal(v.top, 2);
	press(&v, &w, TERM_KEY_PGDN);
	assert_int_equal(v.sel, 4);
	press(&v, &w, TERM_KEY_PGDN);
	assert_int_equal(v.sel, 5);
	/* Home: back to the top, and to following whatever is there. */
	press(&v, &w, TERM_KEY_HOME);
	assert_int_equal(v.sel, 0);
	assert_int_equal(v.top, 0);
	assert_false(v.pinned);
	w.r.sites[1].verdict = VERDICT_LEAK;
	w.r.sites[1].suspects = 1000;
	assert_int_equal(selected_key(&v, &w), 23);
	assert_int_equal(v.sel, 0);
	/* A smaller screen: the selection is kept in view. */
	press(&v, &w, 'G');
	ui_view__sync(&v, &w.r, w.order, w.n, 2);
	assert_int_equal(v.top, 4);
	/* No rows at all: keys that move do nothing. */
	w.r.nsites = 0;
	assert_int_equal(press(&v, &w, TERM_KEY_DOWN), UI_ACT_NONE);
	assert_int_equal(press(&v, &w, TERM_KEY_ENTER), UI_ACT_NONE);
	assert_int_equal(v.mode, UI_MODE_TABLE);
	assert_int_equal(ui_view__key(&v, TERM_KEY_DOWN, NULL, w.order, 3), UI_ACT_NONE);
	w.r.nsites = 6;
	report__free(&w.r);
}

static void test_filter(void **state)
{
	struct ui_view v;
	struct rows w;
	struct table_view tv;

	(void)state;
	fixture__report(&w.r);
	ui_view__init(&v);
	assert_int_equal(press(&v, &w, '/'), UI_ACT_REDRAW);
	assert_true(v.editing);
	tv = ui_view__table(&v, w.order, w.n);
	assert_string_equal(tv.editing, "");
	/* Typing filters at once; q and other keys are just letters here. */
	type(&v, &w, "seRVEr");
	rows__make(&w, &v);
	assert_string_equal(keys(&w), "17 5");
	assert_string_equal(v.filter, "");
	type(&v, &w, "q");
	assert_int_equal(v.mode, UI_MODE_TABLE);
	rows__make(&w, &v);
	assert_int_equal(w.n, 0);
	assert_int_equal(press(&v, &w, TERM_KEY_BACKSPACE), UI_ACT_REDRAW);
	assert_string_equal(v.edit, "seRVEr");
	/* Control keys and arrows are not typed. */
	assert_int_equal(press(&v, &w, 3), UI_ACT_NONE);
	assert_int_equal(press(&v, &w, TERM_KEY_UP), UI_ACT_NONE);
	/* Enter applies. */
	assert_int_equal(press(&v, &w, TERM_KEY_ENTER), UI_ACT_REDRAW);
	assert_false(v.editing);
	assert_string_equal(v.filter, "seRVEr");
	rows__make(&w, &v);
	assert_string_equal(keys(&w), "17 5");
	tv = ui_view__table(&v, w.order, w.n);
	assert_null(tv.editing);
	assert_string_equal(tv.filter, "seRVEr");
	/* Esc while typing cancels: the applied filter stays. */
	press(&v, &w, '/');
	assert_string_equal(v.edit, "seRVEr");
	press(&v, &w, TERM_KEY_BACKSPACE);
	type(&v, &w, "x");
	press(&v, &w, TERM_KEY_ESC);
	assert_false(v.editing);
	assert_string_equal(v.filter, "seRVEr");
	/* Esc in the table clears it. */
	assert_int_equal(press(&v, &w, TERM_KEY_ESC), UI_ACT_REDRAW);
	assert_string_equal(v.filter, "");
	assert_int_equal(press(&v, &w, TERM_KEY_ESC), UI_ACT_NONE);
	rows__make(&w, &v);
	assert_int_equal(w.n, 6);
	/* UTF-8: Backspace takes a character, not a byte. */
	press(&v, &w, '/');
	type(&v, &w, "B\xc3\xbc");
	rows__make(&w, &v);
	assert_string_equal(keys(&w), "9");
	press(&v, &w, TERM_KEY_BACKSPACE);
	assert_string_equal(v.edit, "B");
	/* The edit buffer never overflows. */
	for (int i = 0; i < 2 * UI_FILTER_MAX; i++)
		press(&v, &w, 'a');
	assert_int_equal(strlen(v.edit), UI_FILTER_MAX - 1);
	press(&v, &w, TERM_KEY_ESC);
	report__free(&w.r);
}

static void test_modes(void **state)
{
	struct ui_view v;
	struct rows w;

	(void)state;
	fixture__report(&w.r);
	ui_view__init(&v);
	/* Enter opens the selected site's detail; Esc, Enter, Backspace and
	 * Left come back. */
	press(&v, &w, TERM_KEY_DOWN);
	assert_int_equal(press(&v, &w, TERM_KEY_ENTER), UI_ACT_DETAIL);
	assert_int_equal(v.mode, UI_MODE_DETAIL);
	assert_int_equal(v.sel_key, 23);
	assert_int_equal(press(&v, &w, TERM_KEY_ESC), UI_ACT_REDRAW);
	assert_int_equal(v.mode, UI_MODE_TABLE);
	press(&v, &w, TERM_KEY_ENTER);
	press(&v, &w, TERM_KEY_ENTER);
	assert_int_equal(v.mode, UI_MODE_TABLE);
	press(&v, &w, TERM_KEY_ENTER);
	press(&v, &w, TERM_KEY_BACKSPACE);
	assert_int_equal(v.mode, UI_MODE_TABLE);
	press(&v, &w, TERM_KEY_RIGHT);
	assert_int_equal(v.mode, UI_MODE_DETAIL);
	press(&v, &w, TERM_KEY_LEFT);
	assert_int_equal(v.mode, UI_MODE_TABLE);

	/* The detail scrolls within what the last draw said. */
	press(&v, &w, TERM_KEY_ENTER);
	assert_int_equal(v.scroll, 0);
	v.scroll_max = 5;
	v.page = 4;
	press(&v, &w, TERM_KEY_DOWN);
	assert_int_equal(v.scroll, 1);
	press(&v, &w, TERM_KEY_PGDN);
	assert_int_equal(v.scroll, 4);
	press(&v, &w, TERM_KEY_PGDN);
	assert_int_equal(v.scroll, 5);
	press(&v, &w, TERM_KEY_UP);
	assert_int_equal(v.scroll, 4);
	press(&v, &w, TERM_KEY_HOME);
	assert_int_equal(v.scroll, 0);
	press(&v, &w, TERM_KEY_UP);
	assert_int_equal(v.scroll, 0);
	press(&v, &w, TERM_KEY_END);
	assert_int_equal(v.scroll, 5);
	/* Sorting and filtering belong to the table. */
	assert_int_equal(press(&v, &w, 's'), UI_ACT_NONE);
	assert_int_equal(press(&v, &w, '/'), UI_ACT_NONE);
	assert_false(v.editing);

	/* Help from the detail goes back to the detail, on any key. */
	assert_int_equal(press(&v, &w, '?'), UI_ACT_REDRAW);
	assert_int_equal(v.mode, UI_MODE_HELP);
	assert_int_equal(press(&v, &w, 'x'), UI_ACT_REDRAW);
	assert_int_equal(v.mode, UI_MODE_DETAIL);
	press(&v, &w, TERM_KEY_ESC);
	press(&v, &w, 'h');
	assert_int_equal(v.mode, UI_MODE_HELP);
	press(&v, &w, TERM_KEY_ESC);
	assert_int_equal(v.mode, UI_MODE_TABLE);

	/* p pauses and resumes, anywhere. */
	assert_int_equal(press(&v, &w, 'p'), UI_ACT_REDRAW);
	assert_true(v.paused);
	assert_true(ui_view__table(&v, w.order, w.n).paused);
	press(&v, &w, TERM_KEY_ENTER);
	press(&v, &w, 'p');
	assert_false(v.paused);
	press(&v, &w, TERM_KEY_ESC);

	/* Ctrl-L repaints. */
	assert_int_equal(press(&v, &w, 12), UI_ACT_REPAINT);
	/* Unknown keys change nothing. */
	assert_int_equal(press(&v, &w, 'z'), UI_ACT_NONE);
	assert_int_equal(press(&v, &w, TERM_KEY_DELETE), UI_ACT_NONE);

	/* q quits from the table, the detail and help; also before any
	 * report. */
	assert_int_equal(press(&v, &w, 'q'), UI_ACT_QUIT);
	press(&v, &w, TERM_KEY_ENTER);
	assert_int_equal(press(&v, &w, 'q'), UI_ACT_QUIT);
	press(&v, &w, 'h');
	assert_int_equal(press(&v, &w, 'q'), UI_ACT_QUIT);
	ui_view__init(&v);
	assert_int_equal(ui_view__key(&v, 'q', NULL, NULL, 0), UI_ACT_QUIT);
	assert_int_equal(ui_view__key(&v, 'h', NULL, NULL, 0), UI_ACT_REDRAW);
	report__free(&w.r);
}

static int decode(const char *s, bool more, size_t *used)
{
	return term__decode((const unsigned char *)s, strlen(s), more, used);
}

static void test_decode(void **state)
{
	static const struct {
		const char *seq;
		int key;
	} seqs[] = {
	    {"\033[A", TERM_KEY_UP},
	    {"\033[B", TERM_KEY_DOWN},
	    {"\033[C", TERM_KEY_RIGHT},
	    {"\033[D", TERM_KEY_LEFT},
	    {"\033OA", TERM_KEY_UP},
	    {"\033OB", TERM_KEY_DOWN},
	    {"\033[5~", TERM_KEY_PGUP},
	    {"\033[6~", TERM_KEY_PGDN},
	    {"\033[H", TERM_KEY_HOME},
	    {"\033[F", TERM_KEY_END},
	    {"\033[1~", TERM_KEY_HOME},
	    {"\033[4~", TERM_KEY_END},
	    {"\033[7~", TERM_KEY_HOME},
	    {"\033[8~", TERM_KEY_END},
	    {"\033OH", TERM_KEY_HOME},
	    {"\033[3~", TERM_KEY_DELETE},
	    {"\033[1;5A", TERM_KEY_UP},
	    {"\r", TERM_KEY_ENTER},
	    {"\n", TERM_KEY_ENTER},
	    {"\x7f", TERM_KEY_BACKSPACE},
	    {"\b", TERM_KEY_BACKSPACE},
	    {"q", 'q'},
	    {"\xc3", 0xc3},
	};
	size_t i, used;

	(void)state;
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		assert_int_equal(decode(seqs[i].seq, true, &used), seqs[i].key);
		assert_int_equal(used, strlen(seqs[i].seq));
	}
	/* Keys typed fast arrive together: one at a time. */
	assert_int_equal(decode("\033[Bq", true, &used), TERM_KEY_DOWN);
	assert_int_equal(used, 3);
	assert_int_equal(decode("jk", true, &used), 'j');
	assert_int_equal(used, 1);
	/* A lone Esc: wait for more, or take it as Esc. */
	assert_int_equal(decode("\033", true, &used), -2);
	assert_int_equal(decode("\033", false, &used), TERM_KEY_ESC);
	assert_int_equal(used, 1);
	/* Esc then a key is Esc, and the key comes next. */
	assert_int_equal(decode("\033q", true, &used), TERM_KEY_ESC);
	assert_int_equal(used, 1);
	/* A sequence cut short: wait, then drop it. */
	assert_int_equal(decode("\033[5", true, &used), -2);
	assert_int_equal(decode("\033[5", false, &used), TERM_KEY_NONE);
	assert_int_equal(used, 3);
	assert_int_equal(decode("\033[", true, &used), -2);
	/* Sequences it does not know are skipped whole. */
	assert_int_equal(decode("\033[200~x", true, &used), TERM_KEY_NONE);
	assert_int_equal(used, 6);
	assert_int_equal(decode("\033[?1;2cx", true, &used), TERM_KEY_NONE);
	assert_int_equal(used, 7);
	assert_int_equal(decode("\033OZ", true, &used), TERM_KEY_NONE);
	assert_int_equal(used, 3);
}

static void test_colour(void **state)
{
	char s[32];

	(void)state;
	/* no-color.org: set and not empty turns colour off. */
	assert_true(term__colour_wanted(NULL));
	assert_true(term__colour_wanted(""));
	assert_false(term__colour_wanted("1"));
	assert_false(term__colour_wanted("0"));

	assert_int_equal(term__sgr(0, true, s, sizeof(s)), 0);
	assert_string_equal(s, "");
	term__sgr(TERM_RED, true, s, sizeof(s));
	assert_string_equal(s, "\033[0;31m");
	term__sgr(TERM_YELLOW | TERM_REVERSE, true, s, sizeof(s));
	assert_string_equal(s, "\033[0;7;33m");
	term__sgr(TERM_BOLD, true, s, sizeof(s));
	assert_string_equal(s, "\033[0;1m");
	/* Without colour: bold and reverse stay, they are not colours. */
	term__sgr(TERM_RED, false, s, sizeof(s));
	assert_string_equal(s, "");
	term__sgr(TERM_RED | TERM_REVERSE, false, s, sizeof(s));
	assert_string_equal(s, "\033[0;7m");
	term__sgr(TERM_BOLD | TERM_YELLOW, false, s, sizeof(s));
	assert_string_equal(s, "\033[0;1m");
	/* Cut to the buffer, still terminated. */
	assert_int_equal(term__sgr(TERM_RED, true, s, 4), 3);
	assert_string_equal(s, "\033[0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match),     cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_selection), cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_modes),     cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_colour),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
