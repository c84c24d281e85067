/* Output modes and the live table's interaction: the view state and its
 * pure transitions first, then the glue to reports, terminal and session. */
#include "ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "term.h"

/* Plain blocks on a pipe are not cut to a window: wide enough for names. */
#define PLAIN_COLS 160
#define PLAIN_ROWS 1000
#define CTRL_L	   12

/* The view */

void ui_view__init(struct ui_view *v)
{
	memset(v, 0, sizeof(*v));
	v->mode = UI_MODE_TABLE;
	v->back = UI_MODE_TABLE;
	v->sort = TABLE_COL_VERDICT;
}

static char fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* needle in the first size bytes of hay (a fixed field, maybe unended). */
static bool contains_folded(const char *hay, size_t size, const char *needle)
{
	size_t n = strnlen(hay, size), m = strlen(needle), i, j;

	for (i = 0; i + m <= n; i++) {
		for (j = 0; j < m && fold(hay[i + j]) == fold(needle[j]); j++)
			;
		if (j == m)
			return true;
	}
	return false;
}

bool ui_view__match(const char *filter, const struct report_site *s)
{
	if (!filter || !filter[0])
		return true;
	return contains_folded(s->start_func, sizeof(s->start_func), filter) ||
	       contains_folded(s->go_site.func, sizeof(s->go_site.func), filter) ||
	       contains_folded(s->blocked_at.func, sizeof(s->blocked_at.func), filter);
}

static bool col__text(enum table_col c)
{
	return c == TABLE_COL_WAIT || c == TABLE_COL_CREATED || c == TABLE_COL_BLOCKED;
}

static int verdict__rank(enum verdict v)
{
	return v == VERDICT_LEAK ? 2 : v == VERDICT_GROWING ? 1 : 0;
}

/* Largest first; unknown (negative or NaN) last. */
static int cmp_desc(double a, double b)
{
	if (!(a == a))
		a = -1.0;
	if (!(b == b))
		b = -1.0;
	return (a < b) - (a > b);
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return (a < b) - (a > b);
}

/* A to Z; the empty name last. */
static int cmp_name(const char *a, size_t asize, const char *b, size_t bsize)
{
	size_t n = asize < bsize ? asize : bsize;
	int c;

	if (!a[0] != !b[0])
		return !a[0] ? 1 : -1;
	c = strncmp(a, b, n);
	return (c > 0) - (c < 0);
}

struct sort_ctx {
	const struct report *r;
	enum table_col col;
	bool reverse;
};

static int site__cmp(const struct sort_ctx *k, size_t ia, size_t ib)
{
	const struct report_site *a = &k->r->sites[ia], *b = &k->r->sites[ib];
	int c = 0;

	switch (k->col) {
	case TABLE_COL_VERDICT:
		c = cmp_u64_desc((uint64_t)verdict__rank(a->verdict),
				 (uint64_t)verdict__rank(b->verdict));
		if (!c)
			c = cmp_u64_desc(a->suspects, b->suspects);
		if (!c)
			c = cmp_u64_desc(a->live, b->live);
		break;
	case TABLE_COL_SUSPECTS:
		c = cmp_u64_desc(a->suspects, b->suspects);
		break;
	case TABLE_COL_LIVE:
		c = cmp_u64_desc(a->live, b->live);
		break;
	case TABLE_COL_LEAK_RATE:
		c = cmp_desc(verdict__rank(a->verdict) ? a->leak_per_min : -1.0,
			     verdict__rank(b->verdict) ? b->leak_per_min : -1.0);
		break;
	case TABLE_COL_HELD:
		c = cmp_desc(a->suspects ? (double)a->suspect_stack_bytes : -1.0,
			     b->suspects ? (double)b->suspect_stack_bytes : -1.0);
		break;
	case TABLE_COL_EXITED:
		c = cmp_u64_desc(a->exited, b->exited);
		break;
	case TABLE_COL_MEAN:
		c = cmp_desc(a->exited ? a->mean_ns : -1.0, b->exited ? b->mean_ns : -1.0);
		break;
	case TABLE_COL_SIGMA:
		c = cmp_desc(a->exited > 1 ? a->stddev_ns : -1.0,
			     b->exited > 1 ? b->stddev_ns : -1.0);
		break;
	case TABLE_COL_THRESHOLD:
		c = cmp_desc(a->threshold_ns > 0.0 ? a->threshold_ns : -1.0,
			     b->threshold_ns > 0.0 ? b->threshold_ns : -1.0);
		break;
	case TABLE_COL_OLDEST:
		c = cmp_desc(a->live ? (double)a->oldest_ns : -1.0,
			     b->live ? (double)b->oldest_ns : -1.0);
		break;
	case TABLE_COL_WAIT:
		c = cmp_name(
		    a->has_wait_reason ? a->wait_reason_name : "", sizeof(a->wait_reason_name),
		    b->has_wait_reason ? b->wait_reason_name : "", sizeof(b->wait_reason_name));
		break;
	case TABLE_COL_CREATED:
		c = cmp_name(a->go_site.func, sizeof(a->go_site.func), b->go_site.func,
			     sizeof(b->go_site.func));
		break;
	case TABLE_COL_BLOCKED:
		c = cmp_name(a->blocked_at.func, sizeof(a->blocked_at.func), b->blocked_at.func,
			     sizeof(b->blocked_at.func));
		break;
	case TABLE_NCOLS:
		break;
	}
	return k->reverse ? -c : c;
}

/* Stable bottom-up merge sort of index runs: qsort is not stable and has
 * no context argument in C11. */
static void sort_rows(const struct sort_ctx *k, size_t *a, size_t *tmp, size_t n)
{
	size_t width, lo, mid, hi, i, j, o;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			for (i = lo, j = mid, o = lo; o < hi; o++)
				if (i < mid && (j >= hi || site__cmp(k, a[i], a[j]) <= 0))
					tmp[o] = a[i++];
				else
					tmp[o] = a[j++];
		}
		memcpy(a, tmp, n * sizeof(*a));
	}
}

size_t ui_view__rows(const struct ui_view *v, const struct report *r, size_t *order,
		     size_t *scratch)
{
	const char *f = v->editing ? v->edit : v->filter;
	struct sort_ctx k = {.r = r, .col = v->sort, .reverse = v->reverse};
	size_t n = 0, i;

	for (i = 0; i < r->nsites; i++)
		if (ui_view__match(f, &r->sites[i]))
			order[n++] = i;
	sort_rows(&k, order, scratch, n);
	return n;
}

/* Moves the first row shown just enough for the selection to show. */
static void view__scroll(struct ui_view *v, size_t n)
{
	if (!n) {
		v->top = 0;
		return;
	}
	if (!v->page) {
		v->top = v->sel;
		return;
	}
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + v->page)
		v->top = v->sel - v->page + 1;
	if (n >= v->page && v->top > n - v->page)
		v->top = n - v->page;
}

void ui_view__sync(struct ui_view *v, const struct report *r, const size_t *order, size_t n,
		   size_t page)
{
	size_t i;

	v->page = page;
	if (!n) {
		v->sel = 0;
		v->top = 0;
		return;
	}
	if (!v->pinned) {
		v->sel = 0;
	} else {
		for (i = 0; i < n; i++)
			if (r->sites[order[i]].key == v->sel_key)
				break;
		if (i < n)
			v->sel = i;
		else if (v->sel >= n)
			v->sel = n - 1;
	}
	v->sel_key = r->sites[order[v->sel]].key;
	view__scroll(v, n);
}

/* Puts the selection on row to (clamped), pinned to that row's site. */
static enum ui_action view__select(struct ui_view *v, const struct report *r, const size_t *order,
				   size_t n, long to, bool pin)
{
	if (!n || !r)
		return UI_ACT_NONE;
	if (to < 0)
		to = 0;
	if ((size_t)to >= n)
		to = (long)n - 1;
	v->sel = (size_t)to;
	v->pinned = pin;
	v->sel_key = r->sites[order[v->sel]].key;
	view__scroll(v, n);
	return UI_ACT_REDRAW;
}

static long page_of(const struct ui_view *v)
{
	return v->page > 1 ? (long)v->page - 1 : 1;
}

/* Drops the last UTF-8 character of s. */
static void drop_char(char *s)
{
	size_t n = strlen(s);

	while (n && ((unsigned char)s[n - 1] & 0xc0) == 0x80)
		n--;
	if (n)
		n--;
	s[n] = '\0';
}

static enum ui_action view__edit_key(struct ui_view *v, int key)
{
	size_t n = strlen(v->edit);

	switch (key) {
	case TERM_KEY_ESC:
		v->editing = false;
		return UI_ACT_REDRAW;
	case TERM_KEY_ENTER:
		memcpy(v->filter, v->edit, sizeof(v->filter));
		v->editing = false;
		return UI_ACT_REDRAW;
	case TERM_KEY_BACKSPACE:
		drop_char(v->edit);
		return UI_ACT_REDRAW;
	}
	/* Printable bytes, UTF-8 ones included; no control characters. */
	if (key < 0x20 || key == 0x7f || key > 0xff || n + 1 >= sizeof(v->edit))
		return UI_ACT_NONE;
	v->edit[n] = (char)key;
	v->edit[n + 1] = '\0';
	return UI_ACT_REDRAW;
}

static enum ui_action view__common_key(struct ui_view *v, int key)
{
	switch (key) {
	case 'q':
	case 'Q':
		return UI_ACT_QUIT;
	case 'p':
		v->paused = !v->paused;
		return UI_ACT_REDRAW;
	case 'h':
	case '?':
		v->back = v->mode;
		v->mode = UI_MODE_HELP;
		return UI_ACT_REDRAW;
	case CTRL_L:
		return UI_ACT_REPAINT;
	}
	return UI_ACT_NONE;
}

static enum ui_action view__detail_key(struct ui_view *v, int key)
{
	size_t step = v->page > 2 ? v->page - 1 : 1;

	switch (key) {
	case TERM_KEY_ESC:
	case TERM_KEY_ENTER:
	case TERM_KEY_BACKSPACE:
	case TERM_KEY_LEFT:
		v->mode = UI_MODE_TABLE;
		return UI_ACT_REDRAW;
	case TERM_KEY_UP:
	case 'k':
		step = 1;
		/* fall through */
	case TERM_KEY_PGUP:
		v->scroll = v->scroll > step ? v->scroll - step : 0;
		return UI_ACT_REDRAW;
	case TERM_KEY_DOWN:
	case 'j':
		step = 1;
		/* fall through */
	case TERM_KEY_PGDN:
		v->scroll += step;
		if (v->scroll > v->scroll_max)
			v->scroll = v->scroll_max;
		return UI_ACT_REDRAW;
	case TERM_KEY_HOME:
	case 'g':
		v->scroll = 0;
		return UI_ACT_REDRAW;
	case TERM_KEY_END:
	case 'G':
		v->scroll = v->scroll_max;
		return UI_ACT_REDRAW;
	}
	return view__common_key(v, key);
}

static enum ui_action view__table_key(struct ui_view *v, int key, const struct report *r,
				      const size_t *order, size_t n)
{
	long sel = (long)v->sel;

	switch (key) {
	case TERM_KEY_UP:
	case 'k':
		return view__select(v, r, order, n, sel - 1, true);
	case TERM_KEY_DOWN:
	case 'j':
		return view__select(v, r, order, n, sel + 1, true);
	case TERM_KEY_PGUP:
		return view__select(v, r, order, n, sel - page_of(v), true);
	case TERM_KEY_PGDN:
		return view__select(v, r, order, n, sel + page_of(v), true);
	case TERM_KEY_HOME:
	case 'g':
		/* Back to following whatever is on top. */
		return view__select(v, r, order, n, 0, false);
	case TERM_KEY_END:
	case 'G':
		return view__select(v, r, order, n, (long)n - 1, true);
	case TERM_KEY_ENTER:
	case TERM_KEY_RIGHT:
		if (!n)
			return UI_ACT_NONE;
		v->mode = UI_MODE_DETAIL;
		v->scroll = 0;
		v->scroll_max = 0;
		return UI_ACT_DETAIL;
	case 's':
		v->sort = (enum table_col)((v->sort + 1) % TABLE_NCOLS);
		v->reverse = false;
		return UI_ACT_REDRAW;
	case 'S':
		v->sort = (enum table_col)((v->sort + TABLE_NCOLS - 1) % TABLE_NCOLS);
		v->reverse = false;
		return UI_ACT_REDRAW;
	case 'r':
		v->reverse = !v->reverse;
		return UI_ACT_REDRAW;
	case '/':
		memcpy(v->edit, v->filter, sizeof(v->edit));
		v->editing = true;
		return UI_ACT_REDRAW;
	case TERM_KEY_ESC:
		if (!v->filter[0])
			return UI_ACT_NONE;
		v->filter[0] = '\0';
		return UI_ACT_REDRAW;
	}
	return view__common_key(v, key);
}

enum ui_action ui_view__key(struct ui_view *v, int key, const struct report *r, const size_t *order,
			    size_t n)
{
	if (!r)
		n = 0;
	switch (v->mode) {
	case UI_MODE_HELP:
		if (key == 'q' || key == 'Q')
			return UI_ACT_QUIT;
		if (key == CTRL_L)
			return UI_ACT_REPAINT;
		v->mode = v->back == UI_MODE_HELP ? UI_MODE_TABLE : v->back;
		return UI_ACT_REDRAW;
	case UI_MODE_DETAIL:
		return view__detail_key(v, key);
	case UI_MODE_TABLE:
		break;
	}
	if (v->editing)
		return view__edit_key(v, key);
	return view__table_key(v, key, r, order, n);
}

struct table_view ui_view__table(const struct ui_view *v, const size_t *order, size_t n)
{
	struct table_view tv = {
	    .order = order,
	    .nrows = n,
	    .sorted = true,
	    .sort_col = v->sort,
	    .ascending = col__text(v->sort) != v->reverse,
	    .selected = n ? v->sel : TABLE_NONE,
	    .top = v->top,
	    .paused = v->paused,
	    .filter = v->filter,
	    .editing = v->editing ? v->edit : NULL,
	    .hints = true,
	};

	return tv;
}

/* The ui */

struct ui {
	bool json;
	struct term *term; /* NULL unless the live table is on a terminal */
	ui_detail_fn detail;
	void *ctx;
	struct buf out;
	struct ui_view view;
	struct report shown;  /* on the screen */
	struct report latest; /* arrived while paused */
	bool have_shown;
	bool have_latest;
	size_t *order; /* rows of shown, in the view's order */
	size_t *scratch;
	size_t cap;
	size_t nrows;
	struct report_site det_site; /* the detail's site, as last seen */
	struct site_detail det;
	bool have_det;
	unsigned char *styles; /* per screen line */
	unsigned char *attrs;
	size_t lines_cap;
};

static int ui__draw(struct ui *u);

struct ui *ui__new(bool json, ui_detail_fn detail, void *ctx)
{
	struct ui *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->json = json;
	u->detail = detail;
	u->ctx = ctx;
	ui_view__init(&u->view);
	if (!json) {
		u->term = term__new();
		if (!u->term && errno != ENOTTY) {
			int err = errno;

			free(u);
			errno = err;
			return NULL;
		}
		/* Something on the screen until the first report, a second on. */
		if (u->term)
			(void)ui__draw(u);
	}
	return u;
}

void ui__free(struct ui *u)
{
	if (!u)
		return;
	term__free(u->term);
	buf__free(&u->out);
	report__free(&u->shown);
	report__free(&u->latest);
	free(u->order);
	free(u->scratch);
	free(u->styles);
	free(u->attrs);
	free(u);
}

static int write_out(struct ui *u)
{
	int err = 0;

	if (fwrite(u->out.data, 1, u->out.len, stdout) != u->out.len)
		err = -EIO;
	if (fflush(stdout))
		err = -EIO;
	return err;
}

/* A report that stays: one JSON line, or a plain table and a blank line. */
static int ui__print(struct ui *u, const struct report *r, int width)
{
	int err;

	buf__reset(&u->out);
	if (u->json)
		err = json__render(r, &u->out);
	else if (!(err = table__render(r, width, PLAIN_ROWS, &u->out)))
		err = buf__append(&u->out, "\n", 1);
	return err ? err : write_out(u);
}

/* dst becomes a copy of src; dst's old sites are freed. */
static int report__copy_into(struct report *dst, const struct report *src)
{
	struct report_site *s = NULL;

	if (src->nsites) {
		s = malloc(src->nsites * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memcpy(s, src->sites, src->nsites * sizeof(*s));
	}
	free(dst->sites);
	*dst = *src;
	dst->sites = s;
	return 0;
}

/* The rows of the shown report in the view's order, into u->order. */
static int ui__rows(struct ui *u)
{
	size_t need = u->shown.nsites ? u->shown.nsites : 1;

	if (need > u->cap) {
		size_t *o = realloc(u->order, need * sizeof(*o));

		if (!o)
			return -ENOMEM;
		u->order = o;
		o = realloc(u->scratch, need * sizeof(*o));
		if (!o)
			return -ENOMEM;
		u->scratch = o;
		u->cap = need;
	}
	u->nrows = ui_view__rows(&u->view, &u->shown, u->order, u->scratch);
	return 0;
}

/* Asks the session for the selected site's stacks. A site that left the
 * report keeps what was last seen of it. */
static void ui__fetch_detail(struct ui *u)
{
	size_t i;

	for (i = 0; i < u->shown.nsites; i++)
		if (u->shown.sites[i].key == u->view.sel_key)
			break;
	if (i == u->shown.nsites)
		return;
	u->det_site = u->shown.sites[i];
	memset(&u->det, 0, sizeof(u->det));
	u->have_det = u->detail && !u->detail(u->ctx, &u->det_site, &u->det);
}

/* Shows the report kept while paused. */
static void ui__take_latest(struct ui *u)
{
	struct report old = u->shown;

	if (!u->have_latest)
		return;
	u->shown = u->latest;
	u->latest = old;
	u->have_shown = true;
	u->have_latest = false;
	if (u->view.mode == UI_MODE_DETAIL ||
	    (u->view.mode == UI_MODE_HELP && u->view.back == UI_MODE_DETAIL))
		ui__fetch_detail(u);
}

static unsigned char style__attr(unsigned char style)
{
	unsigned a = 0;

	switch (style & TABLE_STYLE_MASK) {
	case TABLE_STYLE_TITLE:
	case TABLE_STYLE_LABELS:
		a = TERM_BOLD;
		break;
	case TABLE_STYLE_NOTICE:
		a = TERM_BOLD | TERM_YELLOW;
		break;
	case TABLE_STYLE_LEAK:
		a = TERM_RED;
		break;
	case TABLE_STYLE_GROWING:
		a = TERM_YELLOW;
		break;
	}
	if (style & TABLE_STYLE_SELECTED)
		a |= TERM_REVERSE;
	return (unsigned char)a;
}

static int ui__draw(struct ui *u)
{
	struct ui_view *v = &u->view;
	struct table_view tv;
	int cols, rows, err = 0, i;

	term__size(u->term, &cols, &rows);
	if ((size_t)rows > u->lines_cap) {
		unsigned char *s = realloc(u->styles, (size_t)rows);

		if (!s)
			return -ENOMEM;
		u->styles = s;
		s = realloc(u->attrs, (size_t)rows);
		if (!s)
			return -ENOMEM;
		u->attrs = s;
		u->lines_cap = (size_t)rows;
	}
	memset(u->styles, 0, (size_t)rows);
	buf__reset(&u->out);
	if (v->mode == UI_MODE_HELP) {
		err = table__render_help(cols, rows, &u->out, u->styles);
	} else if (!u->have_shown) {
		buf__printf(&u->out, "linger — waiting for the first report   h help  q quit\n");
		u->styles[0] = TABLE_STYLE_TITLE;
	} else if (!(err = ui__rows(u))) {
		ui_view__sync(v, &u->shown, u->order, u->nrows, table__page_rows(rows, u->nrows));
		tv = ui_view__table(v, u->order, u->nrows);
		if (v->mode == UI_MODE_DETAIL) {
			err = table__render_detail(&u->shown, &u->det_site,
						   u->have_det ? &u->det : NULL, &tv, v->scroll,
						   cols, rows, &u->out, u->styles, &v->scroll_max);
			if (v->scroll > v->scroll_max)
				v->scroll = v->scroll_max;
		} else {
			err = table__render_view(&u->shown, &tv, cols, rows, &u->out, u->styles);
		}
	}
	if (err)
		return err;
	for (i = 0; i < rows; i++)
		u->attrs[i] = style__attr(u->styles[i]);
	return term__draw(u->term, u->out.data, u->out.len, u->attrs);
}

int ui__show(struct ui *u, const struct report *r)
{
	int err;

	if (!u->term)
		return ui__print(u, r, PLAIN_COLS);
	err = report__copy_into(&u->latest, r);
	if (err)
		return err;
	u->have_latest = true;
	if (u->view.paused)
		return 0;
	ui__take_latest(u);
	return ui__draw(u);
}

bool ui__input(struct ui *u)
{
	bool redraw = false, was_paused;
	enum ui_action a;
	int key;

	if (!u->term)
		return false;
	if (term__resized(u->term))
		redraw = true;
	while ((key = term__key(u->term)) != TERM_KEY_NONE) {
		size_t n = 0;

		if (key == TERM_KEY_SUSPEND) {
			/* Returns once continued, the terminal taken again. */
			(void)term__suspend(u->term);
			redraw = true;
			continue;
		}
		if (u->have_shown && !ui__rows(u)) {
			n = u->nrows;
			ui_view__sync(&u->view, &u->shown, u->order, n, u->view.page);
		}
		was_paused = u->view.paused;
		a = ui_view__key(&u->view, key, u->have_shown ? &u->shown : NULL, u->order, n);
		if (a == UI_ACT_QUIT)
			return true;
		if (a == UI_ACT_REPAINT)
			term__invalidate(u->term);
		if (a == UI_ACT_DETAIL)
			ui__fetch_detail(u);
		if (was_paused && !u->view.paused)
			ui__take_latest(u);
		if (a != UI_ACT_NONE)
			redraw = true;
	}
	/* A failed redraw shows again at the next report, which reports it. */
	if (redraw)
		(void)ui__draw(u);
	return false;
}

int ui__finish(struct ui *u, const struct report *r)
{
	int cols = PLAIN_COLS, rows;

	term__free(u->term);
	u->term = NULL;
	if (isatty(STDOUT_FILENO))
		term__size(NULL, &cols, &rows);
	return ui__print(u, r, cols);
}
