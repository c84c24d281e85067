/* What a person sees: the live table on a terminal (keys, selection,
 * sort, filter, pause, detail, help), plain text blocks when stdout is not
 * a terminal, or JSON lines. The session hands it each report; it decides
 * what to draw.
 *
 * The live table's state is a plain struct ui_view changed only by pure
 * functions (ui_view__*), which the tests drive key by key; struct ui ties
 * it to the reports, the terminal and the session's detail callback. */
#ifndef LINGER_UI_H
#define LINGER_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "table.h"

struct ui;

/* Fills the full stacks of one site, for the detail view. 0 or -errno. */
typedef int (*ui_detail_fn)(void *ctx, const struct report_site *site, struct site_detail *out);

/* Chooses the output: JSON lines when json, else the live table when
 * stdin and stdout are terminals, else plain text blocks. detail may be
 * NULL (the detail view then says the stacks are not available). Returns
 * NULL with errno on failure. */
struct ui *ui__new(bool json, ui_detail_fn detail, void *ctx);
/* Restores the terminal. Safe on NULL; must run on every exit path. */
void ui__free(struct ui *u);

/* Shows a refresh. The ui keeps a copy of r to redraw on keys; while
 * paused it keeps r aside and goes on showing the report it froze on.
 * 0 or -errno. */
int ui__show(struct ui *u, const struct report *r);
/* Handles pending keys and window changes without blocking, redrawing
 * at once when they change the screen. Returns true once the user asked
 * to quit. Cheap when nothing is pending: call it often. Ctrl-Z (or a
 * SIGTSTP) is the exception: the terminal is given back and linger stops
 * inside this call; it returns once continued, the screen redrawn. */
bool ui__input(struct ui *u);
/* Shows the final report where it stays: the terminal is restored first,
 * then the report is printed as plain text (as wide as the terminal when
 * stdout is one) or as one JSON line. */
int ui__finish(struct ui *u, const struct report *r);

/* The live table's state. */
enum ui_mode {
	UI_MODE_TABLE,
	UI_MODE_DETAIL, /* the selected site's stacks and ages */
	UI_MODE_HELP,
};

#define UI_FILTER_MAX 64

struct ui_view {
	enum ui_mode mode;
	enum ui_mode back;	    /* where help returns to */
	enum table_col sort;	    /* the sort column; TABLE_COL_VERDICT: findings first */
	bool reverse;		    /* the other way round from the column's natural order */
	bool paused;		    /* the screen stays on the report it showed */
	bool editing;		    /* a filter is being typed into edit */
	char filter[UI_FILTER_MAX]; /* applied; "" shows every site */
	char edit[UI_FILTER_MAX];
	bool pinned;	  /* the user moved the selection: it follows sel_key */
	uint64_t sel_key; /* the selected site's key */
	size_t sel;	  /* the selected row */
	size_t top;	  /* the first row shown */
	size_t page;	  /* rows on a screen, what PgUp and PgDn move by */
	size_t scroll;	  /* the detail's first body line shown */
	size_t scroll_max;
};

/* What a key asks of the ui, beyond the view's own change. */
enum ui_action {
	UI_ACT_NONE,	/* nothing visible changed */
	UI_ACT_REDRAW,	/* the view changed: draw it */
	UI_ACT_REPAINT, /* draw every line again (Ctrl-L) */
	UI_ACT_DETAIL,	/* the detail opened: fetch the selected site's stacks */
	UI_ACT_QUIT,
};

/* The initial view: the table, findings first, nothing selected by hand. */
void ui_view__init(struct ui_view *v);

/* Whether a site matches a filter: a substring, ASCII case folded, of its
 * start function, its go statement's function or where it blocks. The
 * empty filter matches every site. */
bool ui_view__match(const char *filter, const struct report_site *s);

/* The rows the view shows: the indices of r's sites that match the filter
 * (the one being typed, while typing), in the view's sort order; ties keep
 * the report's order. order and scratch must each hold r->nsites entries.
 * Returns how many rows. Numbers sort largest first with the unknown ones
 * (shown as "-") after 0, names A to Z with the empty name last, VERDICT
 * as report__sort; reverse turns all of that round. */
size_t ui_view__rows(const struct ui_view *v, const struct report *r, size_t *order,
		     size_t *scratch);

/* Settles the selection on rows (order, n, from ui_view__rows) and page
 * rows a screen: a pinned selection follows its site (or stays on its row
 * when the site is gone), an unpinned one stays on the first row; then the
 * first row shown moves just enough for the selection to be on screen. */
void ui_view__sync(struct ui_view *v, const struct report *r, const size_t *order, size_t n,
		   size_t page);

/* Applies one key (enum term_key or a byte) to the view, rows as for
 * ui_view__sync (r may be NULL before the first report). In the table:
 * q quits; ↑ ↓ k j PgUp PgDn Home End g G move the selection; Enter opens
 * the detail; s and S cycle the sort column; r reverses; p pauses; /
 * starts a filter (printable bytes are typed into it, Backspace deletes a
 * character, Enter applies, Esc cancels); Esc clears an applied filter;
 * h ? show help; Ctrl-L repaints. In the detail: Esc, Enter, Backspace and
 * ← go back, ↑ ↓ PgUp PgDn Home End scroll, q quits, p and h as in the
 * table. In help: q quits, any other key goes back. */
enum ui_action ui_view__key(struct ui_view *v, int key, const struct report *r, const size_t *order,
			    size_t n);

/* The table_view that draws v over rows (order, n). */
struct table_view ui_view__table(const struct ui_view *v, const size_t *order, size_t n);

#endif
