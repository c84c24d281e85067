/* Link-time address → function (from .symtab) and file:line (from the DWARF
 * line tables), with the Go pclntab standing in for whichever of the two a
 * stripped binary lacks. The function index and the unit index are built
 * once; the answers are cached per address, because every refresh asks for
 * the same handful of go statements and park sites. */
#include "symbolizer.h"

#include "gobin.h"
#include "log.h"
#include "pclntab.h"

#include <elf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this many cached addresses the cache starts over: a long session
 * that has seen that many distinct sites is not asking for them all again,
 * and clearing is safe because no returned string lives in the cache. */
#define CACHE_MAX     (1u << 16)
#define CACHE_INITIAL 256u

struct sym_func {
	uint64_t lo, hi;
	const char *name;
};

/* One address range of one compilation unit. */
struct cu_range {
	uint64_t lo, hi;
	Dwarf_Off die_off;
};

enum cache_state { SLOT_EMPTY, SLOT_FOUND, SLOT_NOFUNC };

struct cache_slot {
	uint64_t vaddr;
	enum cache_state state;
	struct symbolized val;
};

struct symbolizer {
	const struct gobin *gb;
	struct sym_func *funcs;
	size_t nfuncs;
	Dwarf *dw;		    /* NULL when the binary has no DWARF */
	const struct pclntab *pcln; /* owned by gb; NULL unless dw or funcs are missing */
	struct cu_range *ranges;    /* built on the first line lookup */
	size_t nranges;
	bool ranges_built;
	struct cache_slot *cache;
	size_t cache_cap; /* a power of two */
	size_t cache_len;
};

static int cmp_func(const void *a, const void *b)
{
	const struct sym_func *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* Of two symbols at one address the larger sorts last and wins. */
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static int build_funcs(struct symbolizer *s)
{
	const struct gobin_symbol *syms;
	size_t n = gobin__symbols(s->gb, &syms), i;

	s->funcs = calloc(n ? n : 1, sizeof(*s->funcs));
	if (!s->funcs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (syms[i].type != STT_FUNC || !syms[i].size ||
		    syms[i].vaddr + syms[i].size < syms[i].vaddr)
			continue;
		s->funcs[s->nfuncs].lo = syms[i].vaddr;
		s->funcs[s->nfuncs].hi = syms[i].vaddr + syms[i].size;
		s->funcs[s->nfuncs].name = syms[i].name;
		s->nfuncs++;
	}
	qsort(s->funcs, s->nfuncs, sizeof(*s->funcs), cmp_func);
	return 0;
}

/* Maps every unit's address ranges (DW_AT_low_pc/high_pc or DW_AT_ranges,
 * DWARF 4 or 5). libdw's dwarf_addrdie would do this through
 * .debug_aranges, which Go's linker does not write, and elfutils before
 * 0.191 has no fallback. */
static int build_ranges(struct symbolizer *s)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	size_t cap = 0;
	int err = 0;

	s->ranges_built = true;
	if (!s->dw)
		return 0;
	while (!dwarf_get_units(s->dw, cu, &cu, NULL, NULL, &cudie, NULL)) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;

		while ((off = dwarf_ranges(&cudie, off, &base, &lo, &hi)) > 0) {
			if (hi <= lo)
				continue;
			if (s->nranges == cap) {
				size_t ncap = cap ? 2 * cap : 256;
				struct cu_range *r = realloc(s->ranges, ncap * sizeof(*r));

				if (!r) {
					err = -ENOMEM;
					goto cleanup;
				}
				s->ranges = r;
				cap = ncap;
			}
			s->ranges[s->nranges].lo = lo;
			s->ranges[s->nranges].hi = hi;
			s->ranges[s->nranges].die_off = dwarf_dieoffset(&cudie);
			s->nranges++;
		}
	}
	if (s->nranges)
		qsort(s->ranges, s->nranges, sizeof(*s->ranges), cmp_range);
	debug("symbolizer: %zu address ranges in DWARF units", s->nranges);
cleanup:
	return err;
}

struct symbolizer *symbolizer__new(const struct gobin *gb)
{
	struct symbolizer *s = NULL;
	int err = 0;

	if (!gb) {
		err = -EINVAL;
		goto cleanup;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		err = -ENOMEM;
		goto cleanup;
	}
	s->gb = gb;
	s->dw = gobin__dwarf(gb);
	err = build_funcs(s);
	if (err)
		goto cleanup;
	/* -ldflags=-w drops DWARF, -s drops .symtab too; the pclntab stays. */
	if (!s->dw || !s->nfuncs)
		s->pcln = gobin__pclntab(gb);
	s->cache_cap = CACHE_INITIAL;
	s->cache = calloc(s->cache_cap, sizeof(*s->cache));
	if (!s->cache)
		err = -ENOMEM;
cleanup:
	if (err) {
		symbolizer__free(s);
		errno = -err;
		return NULL;
	}
	return s;
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	free(s->cache);
	free(s->ranges);
	free(s->funcs);
	free(s);
}

static const struct sym_func *find_func(const struct symbolizer *s, uint64_t vaddr)
{
	size_t lo = 0, hi = s->nfuncs;

	/* The last function starting at or before vaddr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->funcs[mid].lo <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr >= s->funcs[lo - 1].hi)
		return NULL;
	return &s->funcs[lo - 1];
}

static void find_line(struct symbolizer *s, uint64_t vaddr, struct symbolized *out)
{
	size_t lo = 0, hi;
	Dwarf_Die cudie;
	Dwarf_Line *line;
	const char *file;
	int lineno;

	if (!s->ranges_built && build_ranges(s))
		return;
	hi = s->nranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ranges[mid].lo <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr >= s->ranges[lo - 1].hi)
		return;
	if (!dwarf_offdie(s->dw, s->ranges[lo - 1].die_off, &cudie))
		return;
	line = dwarf_getsrc_die(&cudie, vaddr);
	if (!line)
		return;
	file = dwarf_linesrc(line, NULL, NULL);
	if (!file || dwarf_lineno(line, &lineno) || lineno <= 0)
		return;
	out->file = file;
	out->line = (uint32_t)lineno;
}

static size_t slot_of(const struct symbolizer *s, uint64_t vaddr)
{
	/* Fibonacci hashing spreads nearby pcs over the table. */
	size_t i = (size_t)((vaddr * 0x9e3779b97f4a7c15ULL) >> 32) & (s->cache_cap - 1);

	while (s->cache[i].state != SLOT_EMPTY && s->cache[i].vaddr != vaddr)
		i = (i + 1) & (s->cache_cap - 1);
	return i;
}

/* Makes room for one more entry: doubles the table at half load, or
 * empties it at CACHE_MAX. On allocation failure the table stays as it is
 * and the caller simply does not cache. */
static int cache_reserve(struct symbolizer *s)
{
	struct cache_slot *old = s->cache, *nc;
	size_t oldcap = s->cache_cap, i;

	if (2 * (s->cache_len + 1) <= s->cache_cap)
		return 0;
	if (2 * s->cache_cap > CACHE_MAX) {
		memset(s->cache, 0, s->cache_cap * sizeof(*s->cache));
		s->cache_len = 0;
		return 0;
	}
	nc = calloc(2 * oldcap, sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	s->cache = nc;
	s->cache_cap = 2 * oldcap;
	for (i = 0; i < oldcap; i++)
		if (old[i].state != SLOT_EMPTY)
			s->cache[slot_of(s, old[i].vaddr)] = old[i];
	free(old);
	return 0;
}

int symbolizer__lookup(struct symbolizer *s, uint64_t vaddr, struct symbolized *out)
{
	const struct sym_func *f;
	struct symbolized val = {0};
	size_t i = slot_of(s, vaddr);
	int err = 0;

	if (s->cache[i].state == SLOT_FOUND) {
		*out = s->cache[i].val;
		return 0;
	}
	if (s->cache[i].state == SLOT_NOFUNC) {
		memset(out, 0, sizeof(*out));
		return -ENOENT;
	}
	f = find_func(s, vaddr);
	if (f) {
		val.func = f->name;
		if (s->dw)
			find_line(s, vaddr, &val);
		else if (s->pcln)
			pclntab__lookup(s->pcln, vaddr, NULL, &val.file, &val.line);
	} else if (!s->nfuncs && s->pcln &&
		   !pclntab__lookup(s->pcln, vaddr, &val.func, &val.file, &val.line)) {
		/* Prefer DWARF's line when there is DWARF without .symtab. */
		if (s->dw) {
			val.file = NULL;
			val.line = 0;
			find_line(s, vaddr, &val);
		}
	} else {
		err = -ENOENT;
	}
	if (!cache_reserve(s)) {
		i = slot_of(s, vaddr);
		s->cache[i].vaddr = vaddr;
		s->cache[i].state = err ? SLOT_NOFUNC : SLOT_FOUND;
		s->cache[i].val = val;
		s->cache_len++;
	}
	*out = val;
	return err;
}
