/* The live table's view: a report in, one screen of text out.
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
#define MIN_LOC	  14 /* fewer columns than this for CREATED AT, BLOCKED AT: drop others */
#define WAIT_MAX  19 /* "sync.WaitGroup.Wait" */
#define WAIT_MIN  12 /* "chan receive": WAIT REASON shrinks no further for room */
#define CELL_MAX  512
#define HEAD_ROWS 4 /* title, summary, blank, column header */

#define PUT(b, lit) buf__append((b), (lit), sizeof(lit) - 1)

enum col {
	C_VERDICT,
	C_SUSPECTS,
	C_LIVE,
	C_EXITED,
	C_MEAN,
	C_SIGMA,
	C_THRESHOLD,
	C_OLDEST,
	C_WAIT,
	C_CREATED,
	C_BLOCKED,
	NCOLS,
};

static const struct {
	const char *label;
	size_t width; /* the label's columns, or the widest value's */
	bool right;
} cols[NCOLS] = {
    [C_VERDICT] = {"VERDICT", 7, false},
    [C_SUSPECTS] = {"SUSPECTS", 8, true},
    [C_LIVE] = {"LIVE", 4, true},
    [C_EXITED] = {"EXITED", 6, true},
    [C_MEAN] = {"MEAN", 6, true},
    [C_SIGMA] = {"σ", 6, true},
    [C_THRESHOLD] = {"THRESHOLD", 9, true},
    [C_OLDEST] = {"OLDEST", 6, true},
    [C_WAIT] = {"WAIT REASON", 11, false},
    [C_CREATED] = {"CREATED AT", 10, false},
    [C_BLOCKED] = {"BLOCKED AT", 10, false},
};

/* The columns that only explain THRESHOLD go first when space is short. */
static const enum col drop_order[] = {C_SIGMA, C_MEAN, C_EXITED, C_THRESHOLD};

struct layout {
	bool on[NCOLS];
	size_t w[NCOLS];
};

/* tail: bytes at the end that a cut keeps ("file:line" of a location:
 * the line number says more than the end of a long function name). */
struct cell {
	char s[CELL_MAX];
	size_t tail;
};

typedef struct cell cells_t[NCOLS];

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

/* "func file:line" with the file's basename; the pc when nothing is known.
 * " file:line" is the tail a cut keeps. */
static void fmt_loc(const struct report_frame *f, uint64_t pc, struct cell *c)
{
	char func[sizeof(f->func)], file[sizeof(f->file)];
	const char *base;
	size_t o, head;

	c->tail = 0;
	text__clean(func, sizeof(func), f->func, sizeof(f->func));
	text__clean(file, sizeof(file), f->file, sizeof(f->file));
	base = strrchr(file, '/');
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
	if (func[0])
		c->tail = o - head;
}

static void row__cells(const struct report_site *s, cells_t c)
{
	enum col i;

	for (i = 0; i < NCOLS; i++)
		c[i].tail = 0;
	fmt(c[C_VERDICT].s, CELL_MAX, "%s", verdict__name(s->verdict));
	table__fmt_count(s->suspects, c[C_SUSPECTS].s, CELL_MAX);
	table__fmt_count(s->live, c[C_LIVE].s, CELL_MAX);
	table__fmt_count(s->exited, c[C_EXITED].s, CELL_MAX);
	fmt_dur_or_dash(s->exited > 0, s->mean_ns, c[C_MEAN].s, CELL_MAX);
	fmt_dur_or_dash(s->exited > 1, s->stddev_ns, c[C_SIGMA].s, CELL_MAX);
	fmt_dur_or_dash(s->threshold_ns > 0.0, s->threshold_ns, c[C_THRESHOLD].s, CELL_MAX);
	fmt_dur_or_dash(s->live > 0, (double)s->oldest_ns, c[C_OLDEST].s, CELL_MAX);
	if (s->has_wait_reason && s->wait_reason_name[0])
		text__clean(c[C_WAIT].s, CELL_MAX, s->wait_reason_name,
			    sizeof(s->wait_reason_name));
	else
		fmt(c[C_WAIT].s, CELL_MAX, "-");
	fmt_loc(&s->go_site, s->gopc, &c[C_CREATED]);
	fmt_loc(&s->blocked_at, 0, &c[C_BLOCKED]);
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Picks the columns and their widths for the rows about to be shown. */
static void layout__fit(struct layout *l, int width, const cells_t *rows, size_t nrows)
{
	size_t wait = 0, nc = 0, nb = 0, i, d;
	long rem;
	enum col c;

	for (i = 0; i < nrows; i++) {
		wait = max_sz(wait, u8__cols(rows[i][C_WAIT].s, strlen(rows[i][C_WAIT].s)));
		nc = max_sz(nc, u8__cols(rows[i][C_CREATED].s, strlen(rows[i][C_CREATED].s)));
		nb = max_sz(nb, u8__cols(rows[i][C_BLOCKED].s, strlen(rows[i][C_BLOCKED].s)));
	}
	for (c = 0; c < NCOLS; c++) {
		l->on[c] = true;
		l->w[c] = cols[c].width;
	}
	l->w[C_WAIT] = wait > WAIT_MAX ? WAIT_MAX : max_sz(wait, cols[C_WAIT].width);
	nc = max_sz(nc, cols[C_CREATED].width);
	nb = max_sz(nb, cols[C_BLOCKED].width);

	/* What the two location columns get: the width minus every other
	 * column and gap, and the gap between them. */
	rem = width - GAP;
	for (c = 0; c < C_CREATED; c++)
		rem -= (long)(l->w[c] + GAP);
	for (d = 0; rem < 2 * MIN_LOC && d < sizeof(drop_order) / sizeof(drop_order[0]); d++) {
		l->on[drop_order[d]] = false;
		rem += (long)(l->w[drop_order[d]] + GAP);
	}
	if (rem < 2 * MIN_LOC && l->w[C_WAIT] > WAIT_MIN) {
		d = l->w[C_WAIT] - WAIT_MIN;
		if ((long)d > 2 * MIN_LOC - rem)
			d = (size_t)(2 * MIN_LOC - rem);
		l->w[C_WAIT] -= d;
		rem += (long)d;
	}
	if (rem < (long)(cols[C_CREATED].width + cols[C_BLOCKED].width)) {
		/* Hopelessly narrow: the line cut at width does the rest. */
		l->w[C_CREATED] = cols[C_CREATED].width;
		l->w[C_BLOCKED] = cols[C_BLOCKED].width;
		return;
	}
	/* CREATED AT keeps its natural width when that leaves BLOCKED AT at
	 * least half; else BLOCKED AT keeps its own if it can; else halves. */
	if ((long)(nc + nb) <= rem || (long)nc <= rem / 2)
		l->w[C_CREATED] = nc;
	else if ((long)nb <= rem - rem / 2)
		l->w[C_CREATED] = (size_t)rem - nb;
	else
		l->w[C_CREATED] = (size_t)(rem / 2);
	l->w[C_BLOCKED] = (size_t)rem - l->w[C_CREATED];
}

/* Appends text in a cell of w columns: padded, or cut with a '~'. A cell
 * with a tail keeps it whole: after a cut head when 8 columns of head
 * still fit ("main.(*Srv).ha~ server.go:142"), else alone without its
 * leading space ("server.go:142"), before cutting anything else. */
static void cell__put(struct buf *line, const char *text, size_t tail, size_t w, bool right)
{
	size_t len = strlen(text), c = u8__cols(text, len), pad, tc;

	if (c > w && tail) {
		tc = u8__cols(text + len - tail, tail);
		/* A head under 8 columns is a package name at best. */
		if (tc + 1 + 8 <= w) {
			buf__append(line, text, u8__prefix(text, len - tail, w - tc - 1));
			PUT(line, "~");
			buf__append(line, text + len - tail, tail);
			return;
		}
		text += len - tail;
		len = tail;
		if (text[0] == ' ') {
			text++;
			len--;
		}
		c = u8__cols(text, len);
	}
	if (c > w) {
		if (!w)
			return;
		buf__append(line, text, u8__prefix(text, len, w - 1));
		PUT(line, "~");
		return;
	}
	pad = w - c;
	if (right)
		buf__printf(line, "%*s", (int)pad, "");
	buf__append(line, text, len);
	if (!right && pad)
		buf__printf(line, "%*s", (int)pad, "");
}

static void row__put(struct buf *line, const struct layout *l, const char *const text[NCOLS],
		     const size_t tail[NCOLS])
{
	bool first = true;
	enum col c;

	for (c = 0; c < NCOLS; c++) {
		if (!l->on[c])
			continue;
		if (!first)
			buf__printf(line, "%*s", GAP, "");
		first = false;
		cell__put(line, text[c], tail[c], l->w[c], cols[c].right);
	}
}

/* Moves line into out cut to width columns, trailing spaces trimmed. */
static void line__emit(struct buf *out, struct buf *line, int width)
{
	size_t n = 0;

	if (line->len)
		n = u8__prefix(line->data, line->len, (size_t)width);
	while (n && line->data[n - 1] == ' ')
		n--;
	if (n)
		buf__append(out, line->data, n);
	PUT(out, "\n");
	buf__reset(line);
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

/* The summary as specified; when it is wider than the screen, zero drops
 * and evictions go first, so that suspects and [target exited] stay. */
static void head__summary(struct buf *line, const struct report_header *h, int width)
{
	char live[16], sr[16], er[16], ev[16], dr[16], evi[16], sus[16];
	bool terse = false;

	table__fmt_count(h->live, live, sizeof(live));
	fmt_rate(h->spawn_rate, sr, sizeof(sr));
	fmt_rate(h->exit_rate, er, sizeof(er));
	table__fmt_count(h->events, ev, sizeof(ev));
	table__fmt_count(h->drops, dr, sizeof(dr));
	table__fmt_count(h->evictions, evi, sizeof(evi));
	table__fmt_count(h->suspects, sus, sizeof(sus));
	for (;;) {
		size_t start = line->len;

		buf__printf(line, "goroutines %s live  spawn %s/s  exit %s/s  events %s", live, sr,
			    er, ev);
		if (!terse || h->drops)
			buf__printf(line, "  drops %s", dr);
		if (!terse || h->evictions)
			buf__printf(line, "  evictions %s", evi);
		buf__printf(line, "  suspects %s%s", sus,
			    h->target_exited ? "  [target exited]" : "");
		if (terse || line->oom ||
		    u8__cols(line->data + start, line->len - start) <= (size_t)width)
			return;
		line->len = start;
		line->data[start] = '\0';
		terse = true;
	}
}

int table__render(const struct report *r, int width, int height, struct buf *out)
{
	struct buf line = {0};
	const char *text[NCOLS];
	size_t tail[NCOLS];
	cells_t *rows = NULL;
	size_t avail, shown = 0, i;
	struct layout l;
	enum col c;
	int err = 0;

	if (!r || !out || width < 1)
		return -EINVAL;
	if (height <= 0)
		return 0;

	avail = (size_t)height > HEAD_ROWS ? (size_t)height - HEAD_ROWS : 0;
	if (r->nsites <= avail)
		shown = r->nsites;
	else if (avail)
		shown = avail - 1; /* the last line says how many more */
	if (shown) {
		rows = calloc(shown, sizeof(*rows));
		if (!rows) {
			err = -ENOMEM;
			goto cleanup;
		}
	}
	for (i = 0; i < shown; i++)
		row__cells(&r->sites[i], rows[i]);
	layout__fit(&l, width, rows, shown);

	head__title(&line, &r->hdr);
	line__emit(out, &line, width);
	if (height > 1) {
		head__summary(&line, &r->hdr, width);
		line__emit(out, &line, width);
	}
	if (height > 2)
		line__emit(out, &line, width);
	if (height > 3) {
		for (c = 0; c < NCOLS; c++) {
			text[c] = cols[c].label;
			tail[c] = 0;
		}
		row__put(&line, &l, text, tail);
		line__emit(out, &line, width);
	}
	for (i = 0; i < shown; i++) {
		for (c = 0; c < NCOLS; c++) {
			text[c] = rows[i][c].s;
			tail[c] = rows[i][c].tail;
		}
		row__put(&line, &l, text, tail);
		line__emit(out, &line, width);
	}
	if (avail && shown < r->nsites) {
		/* Never one: a single extra site would have taken this line. */
		buf__printf(&line, "… %zu more sites", r->nsites - shown);
		line__emit(out, &line, width);
	}
	if (line.oom || out->oom)
		err = -ENOMEM;

cleanup:
	free(rows);
	buf__free(&line);
	return err;
}
