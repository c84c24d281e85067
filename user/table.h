/* The live table's view: screens of plain text from a report, like top.
 * Pure: no terminal, no clock, no locale. Colour and cursor control belong
 * to the terminal module; this only says, per line, what the line is (a
 * leaking row, the selected row, a heading), and ui maps that to looks. */
#ifndef LINGER_TABLE_H
#define LINGER_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "report.h"

/* The table's columns, in screen order. They are also the sort keys. */
enum table_col {
	TABLE_COL_VERDICT,
	TABLE_COL_SUSPECTS,
	TABLE_COL_LIVE,
	TABLE_COL_LEAK_RATE, /* LEAK/MIN: live-count growth, leak and growing sites only */
	TABLE_COL_HELD,	     /* stack bytes the suspects hold */
	TABLE_COL_EXITED,
	TABLE_COL_MEAN,
	TABLE_COL_SIGMA,
	TABLE_COL_THRESHOLD,
	TABLE_COL_OLDEST,
	TABLE_COL_WAIT,
	TABLE_COL_CREATED,
	TABLE_COL_BLOCKED,
	TABLE_NCOLS,
};

/* A column's label as the table prints it ("SUSPECTS", "σ", "LEAK/MIN"),
 * "?" for a value out of range. */
const char *table__col_name(enum table_col c);

/* What a line of a screen is, for the terminal to give it looks. The
 * text itself never carries escape codes. */
enum table_style {
	TABLE_STYLE_PLAIN = 0,
	TABLE_STYLE_TITLE,   /* the first line */
	TABLE_STYLE_LABELS,  /* column labels, section headings of the detail */
	TABLE_STYLE_NOTICE,  /* the status line while paused or typing a filter */
	TABLE_STYLE_LEAK,    /* a site row whose verdict is leak */
	TABLE_STYLE_GROWING, /* a site row whose verdict is growing */
	TABLE_STYLE_MASK = 0x7f,
	TABLE_STYLE_SELECTED = 0x80, /* or'ed in: the selected row */
};

/* How the rows are shown: which sites in which order, the selection and
 * the status line. A zeroed view with selected = TABLE_NONE shows every
 * site in the report's order, as table__render does. */
#define TABLE_NONE ((size_t)-1)

struct table_view {
	const size_t *order; /* indices into r->sites, the rows in order; NULL: all */
	size_t nrows;	     /* entries of order; ignored when order is NULL */
	bool sorted;	     /* mark sort_col's label and name it on the status line */
	enum table_col sort_col;
	bool ascending;	     /* ▲ (smallest first) instead of ▼ */
	size_t selected;     /* row (index into order) to mark, or TABLE_NONE */
	size_t top;	     /* first row shown, for scrolling */
	bool paused;	     /* "PAUSED" on the status line */
	const char *filter;  /* applied filter, shown when non-empty */
	const char *editing; /* filter being typed, shown with a cursor; NULL when not */
	bool hints;	     /* "h help" at the end of the status line */
};

/* Appends the main screen to out: at most height lines, each ending in
 * '\n', each at most width display columns (UTF-8 counted by code point, so
 * σ, µ, ▼ and — are one column each), cut, never wrapped, trailing spaces
 * trimmed:
 *   linger — PID <pid> <exe> (<go_version>)   up <elapsed>
 *   goroutines <live> live  spawn <r>/s  exit <r>/s  events <n>  drops <n>
 *     evictions <n>        (one line; a zero evictions goes when too wide)
 *   suspects <n> holding <bytes>[  [target exited]][  PAUSED][  filter
 *     "<f>" <shown>/<all>][  sort <COL>▼][  h help]       (one line)
 *   (blank)
 *   VERDICT SUSPECTS LIVE LEAK/MIN HELD EXITED MEAN σ THRESHOLD OLDEST
 *     WAIT REASON CREATED AT BLOCKED AT      (one line; the sort column's
 *     label ends in ▼ or ▲ when v->sorted)
 *   one row per shown site from v->top, then "… N more sites" when they do
 *   not all fit (N, the rows not shown above or below, is then at least 2).
 * CREATED AT and BLOCKED AT are "func file:line" with the file's basename
 * (the gopc in hex when the go site has no symbol). Room is shared out so:
 * the columns that only explain the threshold go first (σ, MEAN, EXITED,
 * THRESHOLD) while the two locations would get under 32 columns each; then
 * BLOCKED AT (the detail view has it) when they would get under 20 each;
 * then HELD when CREATED AT alone would get under 24; then WAIT REASON
 * narrows down to 12. So 80 columns show VERDICT SUSPECTS LIVE LEAK/MIN
 * OLDEST WAIT REASON CREATED AT; 200 show everything. A location that does
 * not fit first loses its function's import path ("net/http.X" becomes
 * "http.X"), then its " file:line" if the function name then fits whole;
 * else the name loses its end ('~') and keeps " file:line" while 12
 * columns of the name remain; under that it is the name alone, cut with
 * '~'. Any other cell that does not fit ends in '~'.
 * LEAK/MIN is "-" but for leak and growing sites, HELD "-" without
 * suspects; unknown values show as "-" (MEAN without exits, σ under two,
 * THRESHOLD while warming, OLDEST with no live goroutine, WAIT REASON
 * without a name). Control characters in names show as '?'.
 * styles, when not NULL, must have room for height entries: it gets one
 * enum table_style per line written. v may be NULL (the plain view). An
 * order entry out of range is -EINVAL.
 * Returns 0, -EINVAL for a NULL r or out or width < 1, or -ENOMEM.
 * height <= 0 appends nothing. */
int table__render_view(const struct report *r, const struct table_view *v, int width, int height,
		       struct buf *out, unsigned char *styles);

/* table__render_view with the plain view: every site in the report's
 * order, no selection, no sort mark, no hints. */
int table__render(const struct report *r, int width, int height, struct buf *out);

/* How many site rows a screen of height lines shows when there are nrows:
 * all of them when they fit, else one fewer than the room (the last line
 * counts the rest). What scrolling moves by a page. */
size_t table__page_rows(int height, size_t nrows);

/* Appends the detail screen of one site: the same three header lines and
 * a blank line as the main screen, then, from body line `scroll` on:
 *   <verdict>  <CREATED AT>  (go <start_func>)
 *   suspects <n>  live <n>  exited <n>  mean <d>  σ <d>  threshold <d>
 *   oldest <d>  growth <r>/min  holding <bytes>  spawn <r>/s  exit <r>/s
 *   (blank)
 *   AGE         <1ms  <10ms  <100ms  <1s  <10s  <1m  <10m  ≥10m
 *   GOROUTINES  <live goroutines of the site in each age bucket>
 *               <a bar per bucket, ▁ to █, scaled to the largest; none for 0>
 *   (blank)
 *   CREATION STACK (the go statement first)
 *     <func>  <file>:<line>           (one per frame of d->created)
 *   (blank)
 *   BLOCKING STACK (goroutine <id>, <wait reason>)
 *     <func>  <file>:<line>           (one per frame of d->blocked)
 * Frames of runtime.goexit (where every goroutine begins) are left out.
 * Function names share a column; a path that does not fit loses its
 * beginning to '…', a function its end to '~'. d may be NULL (stacks not
 * available): each stack then says so in one line, as does an empty one.
 * When the body does not fit, its last shown line says "… N more lines";
 * a scroll past the point where the body's end is on screen counts as that
 * point. *max_scroll, when not NULL, gets that point, for the caller to
 * clamp its scroll. styles as for table__render_view. Returns 0, -EINVAL
 * for a NULL r or site or out or width < 1, or -ENOMEM. */
int table__render_detail(const struct report *r, const struct report_site *site,
			 const struct site_detail *d, const struct table_view *v, size_t scroll,
			 int width, int height, struct buf *out, unsigned char *styles,
			 size_t *max_scroll);

/* Appends the help screen: the keys, then what each column means, cut to
 * width and height like the others. styles as above. 0, -EINVAL or
 * -ENOMEM. */
int table__render_help(int width, int height, struct buf *out, unsigned char *styles);

/* Writes a duration for humans into dst (NUL-terminated, cut to size):
 * "850ns", "1.5µs", "850µs", "1.5ms", "12ms", "1.5s", "42s", "5m02s",
 * "3h04m", "2d03h", "365d"; rounded to the unit shown. At most 6 columns
 * below 10000 days. Returns the number of bytes written (µ is two). */
size_t table__fmt_duration(uint64_t ns, char *dst, size_t size);

/* Writes a count for humans: "999", "1.2k", "15k", "1.2M", up to "E";
 * rounded, at most 4 columns. Returns the number of bytes written. */
size_t table__fmt_count(uint64_t n, char *dst, size_t size);

/* Writes a size in bytes for humans, in powers of 1024: "0B", "999B",
 * "1.0KiB", "8.0KiB", "16KiB", "999KiB", "1.0MiB", up to "EiB"; rounded,
 * at most 6 columns. Returns the number of bytes written. */
size_t table__fmt_bytes(uint64_t n, char *dst, size_t size);

#endif
