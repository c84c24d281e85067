/* The live table's view: a report in, screens of text out.
 *
 * Widths are display columns. Every string is UTF-8 and counted one column
 * per code point (bytes that do not decode count one each, as a terminal
 * shows them as one replacement glyph); wide CJK glyphs and combining marks
 * are not special-cased: Go identifiers and paths rarely have them, and
 * getting them right needs a locale, which a pure view must not depend on.
 * Control characters from the target's names are shown as '?' so that an
 * executable path cannot smuggle escape sequences into the terminal. */
#include "table.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP	  2  /* spaces between columns */
#define LOC_ROOMY 32 /* each location gets this before the threshold's columns stay */
#define LOC_PAIR  20 /* each location gets this, or BLOCKED AT goes */
#define LOC_ALONE 24 /* CREATED AT alone gets this, or HELD goes */
#define LOC_HEAD  12 /* columns of a cut function name worth keeping beside file:line */
#define WAIT_MAX  19 /* "sync.WaitGroup.Wait" */
#define WAIT_MIN  12 /* "chan receive": WAIT REASON shrinks no further for room */
#define CELL_MAX  512
#define HEAD_ROWS 5 /* title, summary, status, blank, column labels */
#define FRAME_IND 2 /* indent of a stack frame in the detail */

#define PUT(b, lit) buf__append((b), (lit), sizeof(lit) - 1)

static const struct {
	const char *label;
	size_t width; /* the label's columns, or the widest value's */
	bool right;
} cols[TABLE_NCOLS] = {
    [TABLE_COL_VERDICT] = {"VERDICT", 7, false},
    [TABLE_COL_SUSPECTS] = {"SUSPECTS", 8, true},
    [TABLE_COL_LIVE] = {"LIVE", 4, true},
    [TABLE_COL_LEAK_RATE] = {"LEAK/MIN", 8, true},
    [TABLE_COL_HELD] = {"HELD", 6, true},
    [TABLE_COL_EXITED] = {"EXITED", 6, true},
    [TABLE_COL_MEAN] = {"MEAN", 6, true},
    [TABLE_COL_SIGMA] = {"σ", 6, true},
    [TABLE_COL_THRESHOLD] = {"THRESHOLD", 9, true},
    [TABLE_COL_OLDEST] = {"OLDEST", 6, true},
    [TABLE_COL_WAIT] = {"WAIT REASON", 11, false},
    [TABLE_COL_CREATED] = {"CREATED AT", 10, false},
    [TABLE_COL_BLOCKED] = {"BLOCKED AT", 10, false},
};

/* The columns that only explain THRESHOLD go first when space is short. */
static const enum table_col drop_order[] = {TABLE_COL_SIGMA, TABLE_COL_MEAN, TABLE_COL_EXITED,
					    TABLE_COL_THRESHOLD};

struct layout {
	bool on[TABLE_NCOLS];
	size_t w[TABLE_NCOLS];
};

/* tail: bytes at the end that a cut keeps (" file:line" of a location: the
 * line number says more than the end of a long function name); skip:
 * bytes of the function's import path, the first thing a cut drops. */
struct cell {
	char s[CELL_MAX];
	size_t tail;
	size_t skip;
};

typedef struct cell cells_t[TABLE_NCOLS];

/* One screen being written: lines go to out, their styles to styles,
 * never more than height of either. */
struct screen {
	struct buf *out;
	struct buf line;
	int width;
	int height;
	int n;
	unsigned char *styles;
};

const char *table__col_name(enum table_col c)
{
	if ((unsigned)c >= TABLE_NCOLS)
		return "?";
	return cols[c].label;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 1 for a byte that
 * does not start a valid one. */
static size_t u8__seq(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 1;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 1;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return len;
}

static size_t u8__cols(const char *s, size_t n)
{
	size_t i = 0, c = 0;

	while (i < n) {
		i += u8__seq((const unsigned char *)s + i, n - i);
		c++;
	}
	return c;
}

static size_t u8__width(const char *s)
{
	return u8__cols(s, strlen(s));
}

/* Bytes of the longest prefix of s that fits in cols columns. */
static size_t u8__prefix(const char *s, size_t n, size_t cols)
{
	size_t i = 0, c = 0;

	while (i < n && c < cols) {
		i += u8__seq((const unsigned char *)s + i, n - i);
		c++;
	}
	return i;
}

/* Bytes from which the rest of s (n bytes) is at most cols columns. */
static size_t u8__suffix(const char *s, size_t n, size_t cols)
{
	size_t total = u8__cols(s, n), i = 0;

	while (i < n && total > cols) {
		i += u8__seq((const unsigned char *)s + i, n - i);
		total--;
	}
	return i;
}

/* Copies a fixed-size field into dst, NUL-terminated, controls as '?'. */
static void text__clean(char *dst, size_t size, const char *src, size_t srcsize)
{
	size_t n = strnlen(src, srcsize), i = 0, o = 0, len;
	const unsigned char *s = (const unsigned char *)src;

	while (i < n && o + 1 < size) {
		len = u8__seq(s + i, n - i);
		/* C0, DEL and C1 (U+0080..U+009F, encoded c2 80..c2 9f). */
		if (s[i] < 0x20 || s[i] == 0x7f || (len == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			dst[o++] = '?';
			i += len;
			continue;
		}
		if (o + len >= size)
			break;
		memcpy(dst + o, s + i, len);
		o += len;
		i += len;
	}
	dst[o] = '\0';
}

/* Bytes of a Go function name's import path: "net/http.(*Server).Serve"
 * has "net/" (it shows as "http.(*Server).Serve"). Only slashes before a
 * receiver or type arguments count: those may name other packages. */
static size_t func__import_len(const char *func)
{
	size_t end = strcspn(func, "([");
	size_t i, skip = 0;

	for (i = 0; i < end; i++)
		if (func[i] == '/')
			skip = i + 1;
	return skip;
}

/* n / d rounded half up, without overflowing near UINT64_MAX. */
static uint64_t div_round(uint64_t n, uint64_t d)
{
	return n / d + (n % d >= d - d / 2);
}

static size_t fmt(char *dst, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));

static size_t fmt(char *dst, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, f);
	n = vsnprintf(dst, size, f, ap);
	va_end(ap);
	if (n < 0) {
		dst[0] = '\0';
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t table__fmt_duration(uint64_t ns, char *dst, size_t size)
{
	static const struct {
		uint64_t unit;
		const char *name;
	} small[] = {{1000ULL, "µs"}, {1000000ULL, "ms"}, {1000000000ULL, "s"}};
	uint64_t v, t;
	size_t i;

	if (ns < 1000)
		return fmt(dst, size, "%" PRIu64 "ns", ns);
	/* Each unit shows tenths below 10, whole numbers up to the next unit;
	 * rounding that reaches the next unit moves on to it. */
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		t = div_round(ns, small[i].unit / 10);
		if (t < 100)
			return fmt(dst, size, "%" PRIu64 ".%" PRIu64 "%s", t / 10, t % 10,
				   small[i].name);
		v = div_round(ns, small[i].unit);
		if (v < (i < 2 ? 1000u : 60u))
			return fmt(dst, size, "%" PRIu64 "%s", v, small[i].name);
	}
	v = div_round(ns, 1000000000ULL);
	if (v < 3600)
		return fmt(dst, size, "%" PRIu64 "m%02" PRIu64 "s", v / 60, v % 60);
	v = div_round(ns, 60000000000ULL);
	if (v < 24 * 60)
		return fmt(dst, size, "%" PRIu64 "h%02" PRIu64 "m", v / 60, v % 60);
	v = div_round(ns, 3600000000000ULL);
	if (v < 100 * 24)
		return fmt(dst, size, "%" PRIu64 "d%02" PRIu64 "h", v / 24, v % 24);
	return fmt(dst, size, "%" PRIu64 "d", div_round(ns, 86400000000000ULL));
}

size_t table__fmt_count(uint64_t n, char *dst, size_t size)
{
	static const char units[] = "kMGTPE";
	uint64_t d = 1000, t, v;
	size_t i;

	if (n < 1000)
		return fmt(dst, size, "%" PRIu64, n);
	for (i = 0; units[i]; i++, d *= 1000) {
		t = div_round(n, d / 10);
		if (t < 100)
			return fmt(dst, size, "%" PRIu64 ".%" PRIu64 "%c", t / 10, t % 10,
				   units[i]);
		v = div_round(n, d);
		if (v < 1000 || !units[i + 1])
			return fmt(dst, size, "%" PRIu64 "%c", v, units[i]);
	}
	return 0;
}

size_t table__fmt_bytes(uint64_t n, char *dst, size_t size)
{
	static const char units[] = "KMGTPE";
	uint64_t t, v;
	size_t i;
	unsigned shift;

	if (n < 1000)
		return fmt(dst, size, "%" PRIu64 "B", n);
	for (i = 0, shift = 10; units[i]; i++, shift += 10) {
		uint64_t d = 1ULL << shift, rem = n & (d - 1);

		/* Tenths as whole * 10 + rounded remainder: n * 10 would
		 * overflow, and 1024 has no exact tenth. rem * 10 < 10 * 2^60. */
		t = (n >> shift) * 10 + div_round(rem * 10, d);
		if (t < 100)
			return fmt(dst, size, "%" PRIu64 ".%" PRIu64 "%ciB", t / 10, t % 10,
				   units[i]);
		v = (n >> shift) + (rem >= d - d / 2);
		if (v < 1000 || !units[i + 1])
			return fmt(dst, size, "%" PRIu64 "%ciB", v, units[i]);
	}
	return 0;
}

static void fmt_rate(double x, char *dst, size_t size)
{
	uint64_t tenths;

	if (!isfinite(x) || !(x > 0.0)) {
		fmt(dst, size, "0");
		return;
	}
	if (x >= 1e18) {
		table__fmt_count(UINT64_MAX, dst, size);
		return;
	}
	tenths = (uint64_t)llround(x * 10.0);
	/* By hand, not %.1f: a view must not depend on LC_NUMERIC. */
	if (tenths < 1000)
		fmt(dst, size, "%" PRIu64 ".%" PRIu64, tenths / 10, tenths % 10);
	else
		table__fmt_count((uint64_t)llround(x), dst, size);
}

static void fmt_dur_or_dash(bool known, double ns, char *dst, size_t size)
{
	if (!known || !isfinite(ns) || ns < 0.0)
		fmt(dst, size, "-");
	else if (ns >= 1.8e19)
		table__fmt_duration(UINT64_MAX, dst, size);
	else
		table__fmt_duration((uint64_t)llround(ns), dst, size);
}

static bool site__finding(const struct report_site *s)
{
	return s->verdict == VERDICT_LEAK || s->verdict == VERDICT_GROWING;
}

/* "func file:line" with the file's basename, or the full path when full;
 * the pc when nothing is known. " file:line" is the tail a cut keeps, the
 * function's import path what it drops first. */
static void fmt_loc(const struct report_frame *f, uint64_t pc, bool full, struct cell *c)
{
	char func[sizeof(f->func)], file[sizeof(f->file)];
	const char *base;
	size_t o, head;

	c->tail = 0;
	c->skip = 0;
	text__clean(func, sizeof(func), f->func, sizeof(f->func));
	text__clean(file, sizeof(file), f->file, sizeof(f->file));
	base = full ? NULL : strrchr(file, '/');
	base = base ? base + 1 : file;
	if (!func[0] && !base[0]) {
		if (pc)
			fmt(c->s, CELL_MAX, "0x%" PRIx64, pc);
		else
			fmt(c->s, CELL_MAX, "-");
		return;
	}
	o = head = fmt(c->s, CELL_MAX, "%s", func);
	if (base[0])
		o += fmt(c->s + o, CELL_MAX - o, "%s%s", func[0] ? " " : "", base);
	if (base[0] && f->line)
		o += fmt(c->s + o, CELL_MAX - o, ":%" PRIu32, f->line);
	if (func[0]) {
		c->tail = o - head;
		c->skip = func__import_len(func);
	}
}

static void row__cells(const struct report_site *s, cells_t c)
{
	enum table_col i;

	for (i = 0; i < TABLE_NCOLS; i++) {
		c[i].tail = 0;
		c[i].skip = 0;
	}
	fmt(c[TABLE_COL_VERDICT].s, CELL_MAX, "%s", verdict__name(s->verdict));
	table__fmt_count(s->suspects, c[TABLE_COL_SUSPECTS].s, CELL_MAX);
	table__fmt_count(s->live, c[TABLE_COL_LIVE].s, CELL_MAX);
	if (site__finding(s))
		fmt_rate(s->leak_per_min, c[TABLE_COL_LEAK_RATE].s, CELL_MAX);
	else
		fmt(c[TABLE_COL_LEAK_RATE].s, CELL_MAX, "-");
	if (s->suspects)
		table__fmt_bytes(s->suspect_stack_bytes, c[TABLE_COL_HELD].s, CELL_MAX);
	else
		fmt(c[TABLE_COL_HELD].s, CELL_MAX, "-");
	table__fmt_count(s->exited, c[TABLE_COL_EXITED].s, CELL_MAX);
	fmt_dur_or_dash(s->exited > 0, s->mean_ns, c[TABLE_COL_MEAN].s, CELL_MAX);
	fmt_dur_or_dash(s->exited > 1, s->stddev_ns, c[TABLE_COL_SIGMA].s, CELL_MAX);
	fmt_dur_or_dash(s->threshold_ns > 0.0, s->threshold_ns, c[TABLE_COL_THRESHOLD].s, CELL_MAX);
	fmt_dur_or_dash(s->live > 0, (double)s->oldest_ns, c[TABLE_COL_OLDEST].s, CELL_MAX);
	if (s->has_wait_reason && s->wait_reason_name[0])
		text__clean(c[TABLE_COL_WAIT].s, CELL_MAX, s->wait_reason_name,
			    sizeof(s->wait_reason_name));
	else
		fmt(c[TABLE_COL_WAIT].s, CELL_MAX, "-");
	fmt_loc(&s->go_site, s->gopc, false, &c[TABLE_COL_CREATED]);
	fmt_loc(&s->blocked_at, 0, false, &c[TABLE_COL_BLOCKED]);
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

static bool is_loc(enum table_col c)
{
	return c == TABLE_COL_CREATED || c == TABLE_COL_BLOCKED;
}

/* Columns left for the location columns that are on, together. */
static long layout__room(const struct layout *l, int width)
{
	long rem = width;
	bool first = true;
	enum table_col c;

	for (c = 0; c < TABLE_NCOLS; c++) {
		if (!l->on[c])
			continue;
		rem -= first ? 0 : GAP;
		first = false;
		if (!is_loc(c))
			rem -= (long)l->w[c];
	}
	return rem;
}

/* Picks the columns and their widths for the rows about to be shown;
 * labels are the column labels as shown (one may carry the sort mark). */
static void layout__fit(struct layout *l, int width, const cells_t *rows, size_t nrows,
			const char *const labels[TABLE_NCOLS])
{
	size_t nc = 0, nb = 0, i, d, want;
	bool pair;
	long rem;
	enum table_col c;

	for (c = 0; c < TABLE_NCOLS; c++) {
		l->on[c] = true;
		l->w[c] = max_sz(cols[c].width, u8__width(labels[c]));
		for (i = 0; i < nrows; i++)
			l->w[c] = max_sz(l->w[c], u8__width(rows[i][c].s));
	}
	if (l->w[TABLE_COL_WAIT] > WAIT_MAX)
		l->w[TABLE_COL_WAIT] = max_sz(WAIT_MAX, u8__width(labels[TABLE_COL_WAIT]));
	nc = l->w[TABLE_COL_CREATED];
	nb = l->w[TABLE_COL_BLOCKED];

	rem = layout__room(l, width);
	for (d = 0; d < sizeof(drop_order) / sizeof(drop_order[0]); d++) {
		if (rem >= (long)(nc + nb) || rem >= 2 * LOC_ROOMY)
			break;
		l->on[drop_order[d]] = false;
		rem = layout__room(l, width);
	}
	pair = true;
	if (rem < (long)(nc + nb) && rem < 2 * LOC_PAIR) {
		l->on[TABLE_COL_BLOCKED] = false;
		pair = false;
		rem = layout__room(l, width);
		if (rem < (long)nc && rem < LOC_ALONE) {
			l->on[TABLE_COL_HELD] = false;
			rem = layout__room(l, width);
		}
	}
	want = pair ? nc + nb : nc;
	if (want > (pair ? 2 * LOC_PAIR : LOC_ALONE))
		want = pair ? 2 * LOC_PAIR : LOC_ALONE;
	if (rem < (long)want && l->w[TABLE_COL_WAIT] > WAIT_MIN) {
		d = l->w[TABLE_COL_WAIT] - WAIT_MIN;
		if ((long)d > (long)want - rem)
			d = (size_t)((long)want - rem);
		l->w[TABLE_COL_WAIT] -= d;
		rem += (long)d;
	}
	if (!pair) {
		/* Alone: its natural width, or what is left, or its label's. */
		if ((long)nc <= rem)
			l->w[TABLE_COL_CREATED] = nc;
		else if (rem >= (long)cols[TABLE_COL_CREATED].width)
			l->w[TABLE_COL_CREATED] = (size_t)rem;
		else
			l->w[TABLE_COL_CREATED] = cols[TABLE_COL_CREATED].width;
		return;
	}
	if (rem < (long)(cols[TABLE_COL_CREATED].width + cols[TABLE_COL_BLOCKED].width)) {
		/* Hopelessly narrow: the line cut at width does the rest. */
		l->w[TABLE_COL_CREATED] = cols[TABLE_COL_CREATED].width;
		l->w[TABLE_COL_BLOCKED] = cols[TABLE_COL_BLOCKED].width;
		return;
	}
	/* CREATED AT keeps its natural width when that leaves BLOCKED AT at
	 * least half; else BLOCKED AT keeps its own if it can; else halves. */
	if ((long)(nc + nb) <= rem || (long)nc <= rem / 2)
		l->w[TABLE_COL_CREATED] = nc;
	else if ((long)nb <= rem - rem / 2)
		l->w[TABLE_COL_CREATED] = (size_t)rem - nb;
	else
		l->w[TABLE_COL_CREATED] = (size_t)(rem / 2);
	l->w[TABLE_COL_BLOCKED] = (size_t)rem - l->w[TABLE_COL_CREATED];
}

static void pad(struct buf *line, size_t n)
{
	if (n)
		buf__printf(line, "%*s", (int)n, "");
}

/* Appends len bytes of text (c columns) in a cell of w: padded, or cut
 * with a '~'. */
static void cell__plain(struct buf *line, const char *text, size_t len, size_t w, bool right)
{
	size_t c = u8__cols(text, len);

	if (c > w) {
		if (!w)
			return;
		buf__append(line, text, u8__prefix(text, len, w - 1));
		PUT(line, "~");
		return;
	}
	if (right)
		pad(line, w - c);
	buf__append(line, text, len);
	if (!right)
		pad(line, w - c);
}

/* Appends a cell of w columns. A location that does not fit drops its
 * function's import path, then its " file:line" if the name then fits
 * whole, else cuts the name, keeping " file:line" while LOC_HEAD columns
 * of the name remain ("main.(*Srv).ha~ server.go:142"), else shows the
 * name alone, cut ("main.(*Server).handleO~"). */
static void cell__put(struct buf *line, const struct cell *cell, size_t w, bool right)
{
	const char *text = cell->s;
	size_t len = strlen(text), tc, head;

	if (u8__cols(text, len) <= w || !cell->tail) {
		cell__plain(line, text, len, w, right);
		return;
	}
	text += cell->skip;
	len -= cell->skip;
	if (u8__cols(text, len) <= w) {
		cell__plain(line, text, len, w, right);
		return;
	}
	tc = u8__cols(text + len - cell->tail, cell->tail);
	/* The whole name says more than its cut head and the line. */
	if (u8__cols(text, len - cell->tail) <= w) {
		cell__plain(line, text, len - cell->tail, w, right);
		return;
	}
	if (tc + 1 + LOC_HEAD <= w) {
		head = u8__prefix(text, len - cell->tail, w - tc - 1);
		buf__append(line, text, head);
		PUT(line, "~");
		buf__append(line, text + len - cell->tail, cell->tail);
		return;
	}
	cell__plain(line, text, len - cell->tail, w, right);
}

static void row__put(struct buf *line, const struct layout *l, const cells_t cells)
{
	bool first = true;
	enum table_col c;

	for (c = 0; c < TABLE_NCOLS; c++) {
		if (!l->on[c])
			continue;
		if (!first)
			pad(line, GAP);
		first = false;
		cell__put(line, &cells[c], l->w[c], cols[c].right);
	}
}

/* Moves the line being built into the screen, cut to width columns,
 * trailing spaces trimmed; nothing once the screen is full. */
static void screen__emit(struct screen *sc, enum table_style style)
{
	struct buf *line = &sc->line;
	size_t n = 0;

	if (sc->n < sc->height) {
		if (line->len)
			n = u8__prefix(line->data, line->len, (size_t)sc->width);
		while (n && line->data[n - 1] == ' ')
			n--;
		if (n)
			buf__append(sc->out, line->data, n);
		PUT(sc->out, "\n");
		if (sc->styles)
			sc->styles[sc->n] = (unsigned char)style;
		sc->n++;
	}
	buf__reset(line);
}

static bool screen__full(const struct screen *sc)
{
	return sc->n >= sc->height;
}

static void head__title(struct buf *line, const struct report_header *h)
{
	char exe[sizeof(h->exe)], ver[sizeof(h->go_version)], up[32];

	text__clean(exe, sizeof(exe), h->exe, sizeof(h->exe));
	text__clean(ver, sizeof(ver), h->go_version, sizeof(h->go_version));
	table__fmt_duration(h->elapsed_ns, up, sizeof(up));
	buf__printf(line, "linger — PID %d", h->pid);
	if (exe[0])
		buf__printf(line, " %s", exe);
	if (ver[0])
		buf__printf(line, " (%s)", ver);
	buf__printf(line, "   up %s", up);
}

/* The counters; when wider than the screen, a zero evictions goes. */
static void head__summary(struct buf *line, const struct report_header *h, int width)
{
	char live[16], sr[16], er[16], ev[16], dr[16], evi[16];

	table__fmt_count(h->live, live, sizeof(live));
	fmt_rate(h->spawn_rate, sr, sizeof(sr));
	fmt_rate(h->exit_rate, er, sizeof(er));
	table__fmt_count(h->events, ev, sizeof(ev));
	table__fmt_count(h->drops, dr, sizeof(dr));
	table__fmt_count(h->evictions, evi, sizeof(evi));
	buf__printf(line, "goroutines %s live  spawn %s/s  exit %s/s  events %s  drops %s", live,
		    sr, er, ev, dr);
	if (h->evictions || line->oom ||
	    u8__cols(line->data, line->len) + 13 + strlen(evi) <= (size_t)width)
		buf__printf(line, "  evictions %s", evi);
}

/* The findings, then what the viewer has set: pause, filter, sort; the
 * "h help" hint only when it fits. */
static enum table_style head__status(struct buf *line, const struct report *r,
				     const struct table_view *v, size_t nrows, int width)
{
	const struct report_header *h = &r->hdr;
	char n[16], held[16], text[256];

	table__fmt_count(h->suspects, n, sizeof(n));
	buf__printf(line, "suspects %s", n);
	if (h->suspects || h->suspect_stack_bytes) {
		table__fmt_bytes(h->suspect_stack_bytes, held, sizeof(held));
		buf__printf(line, " holding %s", held);
	}
	if (h->target_exited)
		PUT(line, "  [target exited]");
	if (v->paused)
		PUT(line, "  PAUSED");
	if (v->editing) {
		text__clean(text, sizeof(text), v->editing, strlen(v->editing) + 1);
		buf__printf(line, "  filter: %s_", text);
	} else if (v->filter && v->filter[0]) {
		text__clean(text, sizeof(text), v->filter, strlen(v->filter) + 1);
		buf__printf(line, "  filter \"%s\" %zu/%zu", text, nrows, r->nsites);
	}
	if (v->sorted)
		buf__printf(line, "  sort %s%s", table__col_name(v->sort_col),
			    v->ascending ? "▲" : "▼");
	if (v->hints && !line->oom && u8__cols(line->data, line->len) + 8 <= (size_t)width)
		PUT(line, "  h help");
	return v->paused || v->editing ? TABLE_STYLE_NOTICE : TABLE_STYLE_PLAIN;
}

/* The lines both screens open with: title, counters, status, blank. */
static void screen__head(struct screen *sc, const struct report *r, const struct table_view *v,
			 size_t nrows)
{
	enum table_style st;

	head__title(&sc->line, &r->hdr);
	screen__emit(sc, TABLE_STYLE_TITLE);
	head__summary(&sc->line, &r->hdr, sc->width);
	screen__emit(sc, TABLE_STYLE_PLAIN);
	st = head__status(&sc->line, r, v, nrows, sc->width);
	screen__emit(sc, st);
	screen__emit(sc, TABLE_STYLE_PLAIN);
}

static enum table_style site__style(const struct report_site *s)
{
	if (s->verdict == VERDICT_LEAK)
		return TABLE_STYLE_LEAK;
	if (s->verdict == VERDICT_GROWING)
		return TABLE_STYLE_GROWING;
	return TABLE_STYLE_PLAIN;
}

size_t table__page_rows(int height, size_t nrows)
{
	size_t avail = height > HEAD_ROWS ? (size_t)height - HEAD_ROWS : 0;

	if (nrows <= avail)
		return nrows;
	return avail ? avail - 1 : 0; /* the last line says how many more */
}

static const struct table_view plain_view = {.selected = TABLE_NONE};

int table__render_view(const struct report *r, const struct table_view *v, int width, int height,
		       struct buf *out, unsigned char *styles)
{
	struct screen sc = {.out = out, .width = width, .height = height, .styles = styles};
	const char *labels[TABLE_NCOLS];
	char marked[64];
	cells_t *rows = NULL, head;
	size_t nrows, page, top, i;
	struct layout l;
	enum table_col c;
	int err = 0;

	if (!r || !out || width < 1)
		return -EINVAL;
	if (!v)
		v = &plain_view;
	nrows = v->order ? v->nrows : r->nsites;
	for (i = 0; v->order && i < nrows; i++)
		if (v->order[i] >= r->nsites)
			return -EINVAL;
	if (height <= 0)
		return 0;

	page = table__page_rows(height, nrows);
	top = v->top > nrows - page ? nrows - page : v->top;
	if (page) {
		rows = calloc(page, sizeof(*rows));
		if (!rows) {
			err = -ENOMEM;
			goto cleanup;
		}
	}
	for (i = 0; i < page; i++)
		row__cells(&r->sites[v->order ? v->order[top + i] : top + i], rows[i]);
	for (c = 0; c < TABLE_NCOLS; c++)
		labels[c] = cols[c].label;
	if (v->sorted && (unsigned)v->sort_col < TABLE_NCOLS) {
		fmt(marked, sizeof(marked), "%s%s", cols[v->sort_col].label,
		    v->ascending ? "▲" : "▼");
		labels[v->sort_col] = marked;
	}
	layout__fit(&l, width, rows, page, labels);

	screen__head(&sc, r, v, nrows);
	for (c = 0; c < TABLE_NCOLS; c++) {
		fmt(head[c].s, CELL_MAX, "%s", labels[c]);
		head[c].tail = head[c].skip = 0;
	}
	row__put(&sc.line, &l, head);
	screen__emit(&sc, TABLE_STYLE_LABELS);
	for (i = 0; i < page; i++) {
		const struct report_site *s = &r->sites[v->order ? v->order[top + i] : top + i];
		unsigned style = site__style(s);

		if (top + i == v->selected)
			style |= TABLE_STYLE_SELECTED;
		row__put(&sc.line, &l, rows[i]);
		screen__emit(&sc, (enum table_style)style);
	}
	if (page < nrows && !screen__full(&sc)) {
		/* Never one: a single extra site would have taken this line. */
		buf__printf(&sc.line, "… %zu more sites", nrows - page);
		screen__emit(&sc, TABLE_STYLE_PLAIN);
	}
	if (sc.line.oom || out->oom)
		err = -ENOMEM;

cleanup:
	free(rows);
	buf__free(&sc.line);
	return err;
}

int table__render(const struct report *r, int width, int height, struct buf *out)
{
	return table__render_view(r, NULL, width, height, out, NULL);
}

/* The detail's body never has more lines than this: two stacks of
 * REPORT_MAX_FRAMES and a dozen of summary, histogram and headings. */
#define BODY_MAX (2 * REPORT_MAX_FRAMES + 24)

static const char *const age_labels[REPORT_AGE_BUCKETS] = {
    "<1ms", "<10ms", "<100ms", "<1s", "<10s", "<1m", "<10m", "≥10m",
};

/* Three lines: bucket labels, counts under them, and a bar each, behind
 * row headings ("AGE", "GOROUTINES"), like a small table. */
static void detail__ages(struct screen *sc, const struct report_site *s)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	static const char *const heads[] = {"AGE", "GOROUTINES", ""};
	char counts[REPORT_AGE_BUCKETS][16];
	size_t w[REPORT_AGE_BUCKETS], i, row;
	uint32_t max = 0;

	for (i = 0; i < REPORT_AGE_BUCKETS; i++) {
		table__fmt_count(s->age_hist[i], counts[i], sizeof(counts[i]));
		w[i] = max_sz(u8__width(age_labels[i]), strlen(counts[i]));
		if (s->age_hist[i] > max)
			max = s->age_hist[i];
	}
	for (row = 0; row < 3; row++) {
		buf__printf(&sc->line, "%-10s", heads[row]);
		for (i = 0; i < REPORT_AGE_BUCKETS; i++) {
			/* Any goroutine shows at least the lowest bar. */
			uint64_t level = max ? ((uint64_t)s->age_hist[i] * 8 + max - 1) / max : 0;
			const char *cell = row == 0   ? age_labels[i]
					   : row == 1 ? counts[i]
					   : level    ? bars[level > 8 ? 7 : level - 1]
						      : "";

			pad(&sc->line, GAP + w[i] - u8__width(cell));
			buf__printf(&sc->line, "%s", cell);
		}
		screen__emit(sc, row == 0 ? TABLE_STYLE_LABELS : TABLE_STYLE_PLAIN);
	}
}

/* Frames that only say a goroutine began: no one's code, no one's leak. */
static bool frame__noise(const struct report_frame *f)
{
	return !strncmp(f->func, "runtime.goexit", 14);
}

/* "func  /path/file.go:line", the function in fw columns (cut with '~'),
 * the path cut from its beginning with '…' to what is left of width. */
static void detail__frame(struct screen *sc, const struct report_frame *f, size_t fw)
{
	char func[sizeof(f->func)], file[sizeof(f->file) + 16];
	size_t pc, room, len, used = FRAME_IND + fw + GAP;

	text__clean(func, sizeof(func), f->func, sizeof(f->func));
	text__clean(file, sizeof(f->file), f->file, sizeof(f->file));
	if (!func[0])
		fmt(func, sizeof(func), "?");
	len = strlen(file);
	if (len && f->line)
		fmt(file + len, sizeof(file) - len, ":%" PRIu32, f->line);
	pad(&sc->line, FRAME_IND);
	cell__plain(&sc->line, func, strlen(func), fw, false);
	len = strlen(file);
	pc = u8__cols(file, len);
	room = (size_t)sc->width > used ? (size_t)sc->width - used : 0;
	if (!len || !room) {
		screen__emit(sc, TABLE_STYLE_PLAIN);
		return;
	}
	pad(&sc->line, GAP);
	if (pc <= room) {
		buf__append(&sc->line, file, len);
	} else if (room > 1) {
		size_t from = u8__suffix(file, len, room - 1);

		PUT(&sc->line, "…");
		buf__append(&sc->line, file + from, len - from);
	}
	screen__emit(sc, TABLE_STYLE_PLAIN);
}

static size_t frames__shown(const struct report_frame *f, size_t n)
{
	size_t i, shown = 0;

	for (i = 0; i < n && i < REPORT_MAX_FRAMES; i++)
		shown += !frame__noise(&f[i]);
	return shown;
}

/* Function column of the stacks: the longest name, but never so wide
 * that a path gets under half of the line. */
static size_t detail__func_width(const struct site_detail *d, int width)
{
	size_t fw = 1, pw = 0, i, avail;

	for (i = 0; d && i < d->ncreated && i < REPORT_MAX_FRAMES; i++) {
		fw = max_sz(fw, u8__cols(d->created[i].func,
					 strnlen(d->created[i].func, sizeof(d->created[i].func))));
		pw = max_sz(pw, strnlen(d->created[i].file, sizeof(d->created[i].file)) + 7);
	}
	for (i = 0; d && i < d->nblocked && i < REPORT_MAX_FRAMES; i++) {
		fw = max_sz(fw, u8__cols(d->blocked[i].func,
					 strnlen(d->blocked[i].func, sizeof(d->blocked[i].func))));
		pw = max_sz(pw, strnlen(d->blocked[i].file, sizeof(d->blocked[i].file)) + 7);
	}
	avail = width > FRAME_IND + GAP ? (size_t)width - FRAME_IND - GAP : 1;
	if (fw + pw > avail && fw > avail / 2)
		fw = max_sz(avail / 2, avail > pw ? avail - pw : 1);
	return fw ? fw : 1;
}

static void detail__body(struct screen *sc, const struct report_site *s,
			 const struct site_detail *d)
{
	char a[32], b[32], c2[32], e[32], f[32], g[32], h[32];
	struct cell loc;
	size_t fw = detail__func_width(d, sc->width), i;
	char text[sizeof(s->start_func) + sizeof(s->wait_reason_name)];

	fmt_loc(&s->go_site, s->gopc, false, &loc);
	buf__printf(&sc->line, "%s  %s", verdict__name(s->verdict), loc.s);
	text__clean(text, sizeof(text), s->start_func, sizeof(s->start_func));
	if (text[0])
		buf__printf(&sc->line, "  (go %s)", text);
	screen__emit(sc, site__style(s));

	table__fmt_count(s->suspects, a, sizeof(a));
	table__fmt_count(s->live, b, sizeof(b));
	table__fmt_count(s->exited, c2, sizeof(c2));
	fmt_dur_or_dash(s->exited > 0, s->mean_ns, e, sizeof(e));
	fmt_dur_or_dash(s->exited > 1, s->stddev_ns, f, sizeof(f));
	fmt_dur_or_dash(s->threshold_ns > 0.0, s->threshold_ns, g, sizeof(g));
	fmt_dur_or_dash(s->live > 0, (double)s->oldest_ns, h, sizeof(h));
	buf__printf(&sc->line, "suspects %s  live %s  exited %s  mean %s  σ %s  threshold %s", a, b,
		    c2, e, f, g);
	screen__emit(sc, TABLE_STYLE_PLAIN);

	fmt_rate(s->leak_per_min, a, sizeof(a));
	table__fmt_bytes(s->suspect_stack_bytes, b, sizeof(b));
	fmt_rate(s->spawn_rate, c2, sizeof(c2));
	fmt_rate(s->exit_rate, e, sizeof(e));
	buf__printf(&sc->line, "oldest %s  growth %s/min  holding %s  spawn %s/s  exit %s/s", h, a,
		    b, c2, e);
	screen__emit(sc, TABLE_STYLE_PLAIN);
	screen__emit(sc, TABLE_STYLE_PLAIN);

	detail__ages(sc, s);
	screen__emit(sc, TABLE_STYLE_PLAIN);

	PUT(&sc->line, "CREATION STACK (the go statement first)");
	screen__emit(sc, TABLE_STYLE_LABELS);
	if (!frames__shown(d ? d->created : NULL, d ? d->ncreated : 0)) {
		PUT(&sc->line, "  (not available)");
		screen__emit(sc, TABLE_STYLE_PLAIN);
	}
	for (i = 0; d && i < d->ncreated && i < REPORT_MAX_FRAMES; i++)
		if (!frame__noise(&d->created[i]))
			detail__frame(sc, &d->created[i], fw);
	screen__emit(sc, TABLE_STYLE_PLAIN);

	PUT(&sc->line, "BLOCKING STACK");
	text__clean(text, sizeof(text), s->wait_reason_name, sizeof(s->wait_reason_name));
	if (s->sample_goid)
		buf__printf(&sc->line, " (goroutine %" PRIu64 "%s%s)", s->sample_goid,
			    s->has_wait_reason && text[0] ? ", " : "",
			    s->has_wait_reason ? text : "");
	screen__emit(sc, TABLE_STYLE_LABELS);
	if (!frames__shown(d ? d->blocked : NULL, d ? d->nblocked : 0)) {
		PUT(&sc->line, "  (no parked goroutine to unwind)");
		screen__emit(sc, TABLE_STYLE_PLAIN);
	}
	for (i = 0; d && i < d->nblocked && i < REPORT_MAX_FRAMES; i++)
		if (!frame__noise(&d->blocked[i]))
			detail__frame(sc, &d->blocked[i], fw);
}

int table__render_detail(const struct report *r, const struct report_site *site,
			 const struct site_detail *d, const struct table_view *v, size_t scroll,
			 int width, int height, struct buf *out, unsigned char *styles,
			 size_t *max_scroll)
{
	struct screen sc = {.out = out, .width = width, .height = height, .styles = styles};
	unsigned char bstyles[BODY_MAX];
	struct buf body = {0};
	struct screen bs = {.out = &body, .width = width, .height = BODY_MAX, .styles = bstyles};
	size_t room, i, maxscroll, shown, nrows;
	const char *p;
	int err = 0;

	if (!r || !site || !out || width < 1)
		return -EINVAL;
	if (!v)
		v = &plain_view;
	detail__body(&bs, site, d);
	if (body.oom || bs.line.oom) {
		err = -ENOMEM;
		goto cleanup;
	}
	nrows = v->order ? v->nrows : r->nsites;
	if (height > 0)
		screen__head(&sc, r, v, nrows);
	room = height > sc.n ? (size_t)(height - sc.n) : 0;
	maxscroll = (size_t)bs.n > room ? (size_t)bs.n - room : 0;
	if (max_scroll)
		*max_scroll = maxscroll;
	if (!room)
		goto cleanup;
	if (scroll > maxscroll)
		scroll = maxscroll;
	shown = (size_t)bs.n - scroll > room ? room - 1 : (size_t)bs.n - scroll;
	p = body.data;
	for (i = 0; i < scroll + shown; i++) {
		const char *nl = strchr(p, '\n');

		if (i >= scroll) {
			buf__append(&sc.line, p, (size_t)(nl - p));
			screen__emit(&sc, (enum table_style)bstyles[i]);
		}
		p = nl + 1;
	}
	if (scroll + shown < (size_t)bs.n && !screen__full(&sc)) {
		buf__printf(&sc.line, "… %zu more lines", (size_t)bs.n - scroll - shown);
		screen__emit(&sc, TABLE_STYLE_PLAIN);
	}
	if (sc.line.oom || out->oom)
		err = -ENOMEM;

cleanup:
	buf__free(&body);
	buf__free(&bs.line);
	buf__free(&sc.line);
	return err;
}

static const struct {
	enum table_style style;
	const char *text;
} help_lines[] = {
    {TABLE_STYLE_TITLE, "linger — keys (any key returns)"},
    {TABLE_STYLE_PLAIN, "  q            quit; Ctrl-C too. The final report stays on the screen"},
    {TABLE_STYLE_PLAIN, "  ↑ ↓  k j     move the selection; PgUp PgDn Home End jump"},
    {TABLE_STYLE_PLAIN, "  Enter        the selected site's stacks and ages; Enter again returns"},
    {TABLE_STYLE_PLAIN, "  Esc  Bksp    back from the stacks; in the table, clears the filter"},
    {TABLE_STYLE_PLAIN, "  s  S  r      sort by the next (previous) column; r reverses"},
    {TABLE_STYLE_PLAIN, "  p            pause the display; linger keeps collecting"},
    {TABLE_STYLE_PLAIN, "  /            filter by function: type, Enter applies, Esc cancels"},
    {TABLE_STYLE_PLAIN, "  Ctrl-L       redraw the screen"},
    {TABLE_STYLE_PLAIN, "  h  ?         this help"},
    {TABLE_STYLE_PLAIN, ""},
    {TABLE_STYLE_LABELS, "COLUMNS (one row per go statement)"},
    {TABLE_STYLE_PLAIN, "  VERDICT      leak, growing (no exits, live count rising), ok, warming"},
    {TABLE_STYLE_PLAIN, "  SUSPECTS     parked goroutines older than THRESHOLD"},
    {TABLE_STYLE_PLAIN, "  LIVE         goroutines of the site alive now"},
    {TABLE_STYLE_PLAIN, "  LEAK/MIN     live goroutines gained per minute (leak, growing)"},
    {TABLE_STYLE_PLAIN, "  HELD         goroutine stack memory the suspects hold"},
    {TABLE_STYLE_PLAIN, "  EXITED       goroutines that exited: the lifetimes measured"},
    {TABLE_STYLE_PLAIN, "  MEAN  σ      their lifetimes' mean and standard deviation"},
    {TABLE_STYLE_PLAIN, "  THRESHOLD    mean + k·σ: parked and older than this is suspect"},
    {TABLE_STYLE_PLAIN, "  OLDEST       age of the oldest live goroutine"},
    {TABLE_STYLE_PLAIN, "  WAIT REASON  what the oldest suspect (or parked one) waits for"},
    {TABLE_STYLE_PLAIN, "  CREATED AT   the go statement: function file:line"},
    {TABLE_STYLE_PLAIN, "  BLOCKED AT   where it waits: first frame outside the runtime"},
};

int table__render_help(int width, int height, struct buf *out, unsigned char *styles)
{
	struct screen sc = {.out = out, .width = width, .height = height, .styles = styles};
	size_t i;
	int err = 0;

	if (!out || width < 1)
		return -EINVAL;
	for (i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]) && !screen__full(&sc); i++) {
		buf__printf(&sc.line, "%s", help_lines[i].text);
		screen__emit(&sc, help_lines[i].style);
	}
	if (sc.line.oom || out->oom)
		err = -ENOMEM;
	buf__free(&sc.line);
	return err;
}
