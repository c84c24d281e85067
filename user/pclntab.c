/* A reader of the Go pclntab over a caller's buffer. The bytes come from
 * binaries linger did not build and from a fuzzer, so every offset is
 * checked against the buffer before the read that uses it, arithmetic is
 * done in 64 bits with explicit overflow checks, and every loop is bounded
 * by the bytes it consumes. */
#include "pclntab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_GO12  0xfffffffbu
#define MAGIC_GO116 0xfffffffau
#define MAGIC_GO118 0xfffffff0u
#define MAGIC_GO120 0xfffffff1u

/* A uint32 varint takes at most 5 bytes; the linker never writes more. */
#define VARINT_MAX_BYTES 5

/* Fields of _func after the entry, 4 bytes each, by index as
 * debug/gosym's funcData.field counts them (the entry is field 0). */
#define FIELD_NAMEOFF  1
#define FIELD_PCSP     4
#define FIELD_PCFILE   5
#define FIELD_PCLN     6
#define FIELD_CUOFFSET 8

/* cutab entries and cuOffset use all ones for "none". */
#define NO_INDEX UINT32_MAX

/* pclntab__find gives up after this many offsets that pass the header
 * check but not the function table's: each costs a pass over a table, and
 * a crafted file could otherwise hold one at every offset. */
#define FIND_MAX_CANDIDATES 16

struct pclntab {
	const uint8_t *data;
	size_t len;
	struct pclntab_header h;
	uint64_t text;	/* base of entry offsets (1.18+) */
	size_t fieldsz; /* bytes per function table field: 4, or ptrsize in 1.16 */
};

static uint32_t get32(const uint8_t *b, bool be)
{
	if (be)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static uint64_t get64(const uint8_t *b, bool be)
{
	uint64_t hi = get32(b, be), lo = get32(b + 4, be);

	return be ? hi << 32 | lo : lo << 32 | hi;
}

static uint64_t get_word(const uint8_t *b, bool be, uint8_t ptrsize)
{
	return ptrsize == 8 ? get64(b, be) : get32(b, be);
}

/* True when [off, off + n) lies inside a buffer of len bytes. */
static bool in_bounds(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

static bool known_magic(uint32_t m)
{
	return m == MAGIC_GO116 || m == MAGIC_GO118 || m == MAGIC_GO120;
}

/*
 * Layout of the pclntab, Go 1.16 and later (runtime/symtab.go pcHeader and
 * _func, cmd/link/internal/ld/pcln.go, debug/gosym/pclntab.go; checked
 * against the Go 1.19 and 1.26 sources). All integers are in the byte order
 * the magic reveals; "word" is ptrsize bytes.
 *
 * Header, at offset 0:
 *   0  uint32 magic      0xfffffffa (1.16–1.17), 0xfffffff0 (1.18–1.19),
 *                        0xfffffff1 (1.20+); chosen so that reading one in
 *                        the other byte order matches none
 *   4  uint8  pad, pad   both 0
 *   6  uint8  minLC      pc quantum: 1 (x86), 2 (s390x), 4 (arm64, ppc64, ...)
 *   7  uint8  ptrSize    4 or 8
 *   8  word   nfunc      entries of the function table
 *      word   nfiles     entries of the file table
 *   1.18+ only:
 *      word   textStart  runtime.text; from Go 1.26 always 0 ("requires a
 *                        relocation"): the reader must get runtime.text from
 *                        the moduledata or the .text section
 *   then, each a word, offsets from the header's start:
 *      funcnametab  NUL-terminated function names
 *      cutab        uint32 per (compilation unit, file): offset into filetab,
 *                   or ~0
 *      filetab      NUL-terminated file names
 *      pctab        the pc-value tables
 *      pclntab      the function table, and the _func records after it
 *
 * Function table, at the pclntab offset: nfunc pairs {entry, funcoff} and
 * one final entry, the end of the last function. In 1.16 each field is a
 * word and entry is an absolute address; from 1.18 each is a uint32 and
 * entry is an offset from runtime.text. Entries ascend. funcoff is the
 * offset of the function's _func record from the table's start.
 *
 * _func: the entry (a word in 1.16, a uint32 offset from 1.18), then 4-byte
 * fields: nameoff (into funcnametab), args, deferreturn, pcsp, pcfile,
 * pcln (offsets into pctab, 0 for none), npcdata, cuOffset (index of the
 * unit's first cutab entry, ~0 for none), startLine (1.20+), then funcID,
 * flag, a pad byte, nfuncdata, and the pcdata and funcdata offsets.
 *
 * A pc-value table maps the pcs of one function to an int32 value (stack
 * depth, file number within the unit, line). It is a list of pairs of
 * unsigned LEB128 varints {value delta, pc delta}: the value starts at -1
 * and the pc at the entry; the value delta is zigzag encoded
 * ((u >> 1) ^ -(u & 1)), the pc delta counts quanta, and after each pair
 * the value holds for [previous pc, new pc). A value delta of 0 ends the
 * table, except at the first pair, while the pc is still the entry. The
 * last pc of a table is the end of the function's code, before the
 * alignment padding the linker adds.
 *
 * A pc's file is cutab[cuOffset + pcfile value] into filetab; its line is
 * the pcln value.
 *
 * Names are the linker's, which .symtab rewrites: an assembly function and
 * its ABIInternal wrapper (or a Go function and its ABI0 wrapper) both
 * appear as "X", where .symtab says "X.abi0" for the ABI0 one; a middle dot
 * stays a middle dot; and the 1.18–1.20 linkers wrote "F[...]" for every
 * instantiation of a generic F (1.21+ write the full name; 1.20 already
 * shares the 1.21 magic).
 *
 * runtime.firstmoduledata (writable data) starts with, each a word or a
 * slice of three words {data, len, cap}: pcHeader (the table's address),
 * funcnametab, cutab, filetab, pctab, pclntable, ftab (slices pointing into
 * the table; ftab has nfunc + 1 entries), findfunctab, minpc, maxpc, text,
 * etext, ... (the same from 1.16 through 1.26). Its text field is what Go
 * 1.26's header no longer carries.
 */
int pclntab__header(const uint8_t *data, size_t len, struct pclntab_header *out)
{
	struct pclntab_header h;
	uint64_t words[8], fields;
	uint32_t le, be;
	size_t nwords, i;

	if (!data || len < 16)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	le = get32(data, false);
	be = get32(data, true);
	if (data[4] || data[5] || (data[6] != 1 && data[6] != 2 && data[6] != 4) ||
	    (data[7] != 4 && data[7] != 8))
		return -EINVAL;
	if (known_magic(le)) {
		h.big_endian = false;
	} else if (known_magic(be)) {
		h.big_endian = true;
		le = be;
	} else if (le == MAGIC_GO12 || be == MAGIC_GO12) {
		return -ENOTSUP;
	} else {
		return -EINVAL;
	}
	h.layout = le == MAGIC_GO116   ? PCLNTAB_GO116
		   : le == MAGIC_GO118 ? PCLNTAB_GO118
				       : PCLNTAB_GO120;
	h.quantum = data[6];
	h.ptrsize = data[7];
	nwords = h.layout == PCLNTAB_GO116 ? 7 : 8;
	h.size = 8 + nwords * h.ptrsize;
	if (len < h.size)
		return -EINVAL;
	for (i = 0; i < nwords; i++)
		words[i] = get_word(data + 8 + i * h.ptrsize, h.big_endian, h.ptrsize);
	h.nfunc = words[0];
	h.nfiles = words[1];
	i = 2;
	if (h.layout != PCLNTAB_GO116)
		h.text_start = words[i++];
	h.funcname_off = words[i++];
	h.cu_off = words[i++];
	h.filetab_off = words[i++];
	h.pctab_off = words[i++];
	h.functab_off = words[i++];
	/* The linker lays every table after the header (it panics otherwise). */
	if (h.funcname_off < h.size || h.funcname_off >= len || h.cu_off < h.size ||
	    h.cu_off >= len || h.filetab_off < h.size || h.filetab_off >= len ||
	    h.pctab_off < h.size || h.pctab_off >= len || h.functab_off < h.size ||
	    h.functab_off >= len)
		return -EINVAL;
	/* The table needs 2 * nfunc + 1 fields; compare by division so that a
	 * huge nfunc cannot wrap the product. */
	fields = (len - h.functab_off) / (h.layout == PCLNTAB_GO116 ? h.ptrsize : 4);
	if (fields < 3 || h.nfunc == 0 || h.nfunc > (fields - 1) / 2)
		return -EINVAL;
	*out = h;
	return 0;
}

/* Field k (0 = entry, 1 = funcoff) of function table entry i; i may be
 * nfunc for the final end entry, whose k is 0. In bounds by the header's
 * check. */
static uint64_t ftab_field(const struct pclntab *p, uint64_t i, unsigned k)
{
	const uint8_t *b = p->data + p->h.functab_off + (2 * i + k) * p->fieldsz;

	return p->fieldsz == 8 ? get64(b, p->h.big_endian) : get32(b, p->h.big_endian);
}

/* Address of function table entry i (i == nfunc: the end of text). Cannot
 * overflow: pclntab__new checked text + the largest offset. */
static uint64_t ftab_pc(const struct pclntab *p, uint64_t i)
{
	uint64_t v = ftab_field(p, i, 0);

	return p->h.layout == PCLNTAB_GO116 ? v : p->text + v;
}

/* Reads field n (FIELD_*) of function i's _func record. */
static int func_field(const struct pclntab *p, uint64_t i, unsigned n, uint32_t *out)
{
	uint64_t off = ftab_field(p, i, 1);
	/* The entry is a word in 1.16 and a uint32 after; the rest are 4 bytes. */
	uint64_t at = (p->h.layout == PCLNTAB_GO116 ? p->h.ptrsize : 4) + (uint64_t)(n - 1) * 4;

	if (off > p->len - p->h.functab_off)
		return -EINVAL;
	off += p->h.functab_off;
	if (!in_bounds(p->len, off, at + 4))
		return -EINVAL;
	*out = get32(p->data + off + at, p->h.big_endian);
	return 0;
}

/* The NUL-terminated string at base + off, or NULL when it would start or
 * end outside the buffer. */
static const char *string_at(const struct pclntab *p, uint64_t base, uint64_t off)
{
	const uint8_t *s;

	if (off >= p->len - base)
		return NULL;
	s = p->data + base + off;
	if (!memchr(s, '\0', p->len - base - off))
		return NULL;
	return (const char *)s;
}

static int read_uvarint(const struct pclntab *p, size_t *pos, uint32_t *out)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < VARINT_MAX_BYTES; i++) {
		uint8_t b;

		if (*pos >= p->len)
			return -EINVAL;
		b = p->data[(*pos)++];
		/* The fifth byte may carry only the top 4 bits of a uint32. */
		if (i == 4 && b > 0x0f)
			return -EINVAL;
		v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -EINVAL;
}

/* Walks the pc-value table at pctab + off for a function starting at entry.
 * With want_end false: stops at the pair covering target and gives its
 * value in *val. With want_end true: runs to the table's end and gives the
 * last pc in *pc_out. Returns 0, -ENOENT (no table, or target past its
 * end), or -EINVAL (malformed). Each pair consumes at least two bytes, so
 * the walk ends within the buffer. */
static int pcvalue(const struct pclntab *p, uint32_t off, uint64_t entry, uint64_t target,
		   bool want_end, int32_t *val, uint64_t *pc_out)
{
	uint64_t pc = entry;
	uint32_t v = (uint32_t)-1; /* int32 arithmetic done unsigned: no UB on wrap */
	size_t pos;

	if (off == 0)
		return -ENOENT;
	if (off >= p->len - p->h.pctab_off)
		return -EINVAL;
	pos = (size_t)(p->h.pctab_off + off);
	for (;;) {
		uint32_t uv, pcd;

		if (read_uvarint(p, &pos, &uv))
			return -EINVAL;
		if (uv == 0 && pc != entry) {
			if (!want_end)
				return -ENOENT;
			*pc_out = pc;
			return 0;
		}
		if (read_uvarint(p, &pos, &pcd))
			return -EINVAL;
		/* pcd * quantum < 2^34: only the sum can wrap. */
		if ((uint64_t)pcd * p->h.quantum > UINT64_MAX - pc)
			return -EINVAL;
		pc += (uint64_t)pcd * p->h.quantum;
		v += (uv & 1) ? ~(uv >> 1) : uv >> 1;
		if (!want_end && target < pc) {
			*val = (int32_t)v;
			return 0;
		}
	}
}

/* Entry and size of function i (see pclntab__func for the size). */
static void func_range(const struct pclntab *p, uint64_t i, uint64_t *entry, uint64_t *size)
{
	uint64_t lo = ftab_pc(p, i), next = ftab_pc(p, i + 1), end;
	uint32_t pcsp;

	*entry = lo;
	*size = next - lo;
	if (func_field(p, i, FIELD_PCSP, &pcsp) || pcvalue(p, pcsp, lo, 0, true, NULL, &end))
		return;
	if (end > lo && end <= next)
		*size = end - lo;
}

static const char *func_name(const struct pclntab *p, uint64_t i)
{
	uint32_t nameoff;

	if (func_field(p, i, FIELD_NAMEOFF, &nameoff))
		return NULL;
	return string_at(p, p->h.funcname_off, nameoff);
}

/* The full check pclntab__new makes after the header: a text base that
 * leaves no entry overflowing, and entries that never decrease. */
static int check_functab(const struct pclntab *p)
{
	uint64_t i, prev = 0;

	for (i = 0; i <= p->h.nfunc; i++) {
		uint64_t v = ftab_field(p, i, 0);

		if (p->h.layout != PCLNTAB_GO116 && v > UINT64_MAX - p->text)
			return -EINVAL;
		if (i && v < prev)
			return -EINVAL;
		prev = v;
	}
	return 0;
}

struct pclntab *pclntab__new(const uint8_t *data, size_t len, uint64_t text_start)
{
	struct pclntab *p = NULL;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = pclntab__header(data, len, &p->h);
	if (err)
		goto cleanup;
	p->data = data;
	p->len = len;
	p->fieldsz = p->h.layout == PCLNTAB_GO116 ? p->h.ptrsize : 4;
	p->text = p->h.text_start ? p->h.text_start : text_start;
	if (p->h.layout == PCLNTAB_GO116)
		p->text = 0;
	err = check_functab(p);
cleanup:
	if (err) {
		pclntab__free(p);
		errno = -err;
		return NULL;
	}
	return p;
}

void pclntab__free(struct pclntab *p)
{
	free(p);
}

enum pclntab_layout pclntab__layout(const struct pclntab *p)
{
	return p->h.layout;
}

uint64_t pclntab__text_start(const struct pclntab *p)
{
	return p->text;
}

size_t pclntab__nfunc(const struct pclntab *p)
{
	return (size_t)p->h.nfunc;
}

int pclntab__func(const struct pclntab *p, size_t i, const char **name, uint64_t *entry,
		  uint64_t *size)
{
	const char *n;
	uint64_t lo, sz;

	if (i >= p->h.nfunc)
		return -ERANGE;
	n = func_name(p, i);
	if (!n)
		return -EINVAL;
	func_range(p, i, &lo, &sz);
	if (name)
		*name = n;
	if (entry)
		*entry = lo;
	if (size)
		*size = sz;
	return 0;
}

/* The file name for pcfile value fileno of function i, or NULL. */
static const char *file_name(const struct pclntab *p, uint64_t i, int32_t fileno)
{
	uint32_t cu, off;
	uint64_t at;

	if (fileno < 0 || func_field(p, i, FIELD_CUOFFSET, &cu) || cu == NO_INDEX)
		return NULL;
	at = p->h.cu_off + ((uint64_t)cu + (uint64_t)fileno) * 4;
	if (!in_bounds(p->len, at, 4))
		return NULL;
	off = get32(p->data + at, p->h.big_endian);
	if (off == NO_INDEX)
		return NULL;
	return string_at(p, p->h.filetab_off, off);
}

/* The file of the first instruction of function i, or NULL. */
static const char *entry_file(const struct pclntab *p, uint64_t i)
{
	uint32_t pcfile;
	int32_t v;

	if (func_field(p, i, FIELD_PCFILE, &pcfile) ||
	    pcvalue(p, pcfile, ftab_pc(p, i), ftab_pc(p, i), false, &v, NULL))
		return NULL;
	return file_name(p, i, v);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Of two functions with one name, which is the ABI0 one (0 or 1), or -1
 * when the files do not tell. An assembly function is ABI0 and its
 * ABIInternal wrapper is autogenerated; a Go function called from assembly
 * is ABIInternal and its ABI0 wrapper is autogenerated. */
static int abi0_of_pair(const struct pclntab *p, const uint64_t idx[2])
{
	const char *f[2] = {entry_file(p, idx[0]), entry_file(p, idx[1])};
	int k;

	for (k = 0; k < 2; k++)
		if (f[k] && ends_with(f[k], ".s"))
			return k;
	for (k = 0; k < 2; k++)
		if (f[k] && !strcmp(f[k], "<autogenerated>") &&
		    !(f[1 - k] && !strcmp(f[1 - k], "<autogenerated>")))
			return k;
	return -1;
}

/* Whether the table's string at offset at spells name[0, n) as .symtab
 * would: Go's ELF writer turns each middle dot (U+00B7, bytes C2 B7) of a
 * name into '.', for ASCII-only tools. Reads only inside the buffer. */
static bool name_eq(const struct pclntab *p, uint64_t at, const char *name, size_t n)
{
	size_t j = 0;

	while (at < p->len) {
		uint8_t c = p->data[at];

		if (j == n)
			return c == '\0';
		if (c == (uint8_t)name[j]) {
			at++;
		} else if (c == 0xc2 && name[j] == '.' && at + 1 < p->len &&
			   p->data[at + 1] == 0xb7) {
			at += 2;
		} else {
			return false;
		}
		j++;
	}
	return false;
}

/* Indexes of the first two functions named name[0, n); returns how many
 * have that name, counting no further than three. */
static size_t find_named(const struct pclntab *p, const char *name, size_t n, uint64_t idx[2])
{
	size_t found = 0;
	uint64_t i;

	for (i = 0; i < p->h.nfunc && found < 3; i++) {
		uint32_t nameoff;

		if (func_field(p, i, FIELD_NAMEOFF, &nameoff) ||
		    !name_eq(p, p->h.funcname_off + nameoff, name, n))
			continue;
		if (found < 2)
			idx[found] = i;
		found++;
	}
	return found;
}

/* Whether function i, alone under its name, is one .symtab calls
 * "X.abi0": the linker mangles an ABI0 function whenever an ABIInternal
 * one of that name was linked, even if that one was then inlined away and
 * left no code. Only assembly and ABI wrappers are ABI0. */
static bool abi0_alone(const struct pclntab *p, uint64_t i)
{
	const char *f = entry_file(p, i);

	return f && (ends_with(f, ".s") || !strcmp(f, "<autogenerated>"));
}

/* The function .symtab would call name (of length n), by the ABI rules
 * above. 0 with *out its index, or -ENOENT. */
static int pick_named(const struct pclntab *p, const char *name, size_t n, uint64_t *out)
{
	static const char abi0[] = ".abi0";
	const size_t sfx = sizeof(abi0) - 1;
	uint64_t idx[2] = {0, 0};
	size_t found;
	int k;

	/* .symtab names the ABI0 half of an ABI0/ABIInternal pair "X.abi0"
	 * and the other "X"; the pclntab calls both "X". */
	if (n > sfx && !memcmp(name + n - sfx, abi0, sfx)) {
		found = find_named(p, name, n - sfx, idx);
		if (found == 2 && (k = abi0_of_pair(p, idx)) >= 0) {
			*out = idx[k];
			return 0;
		}
		if (found == 1 && abi0_alone(p, idx[0])) {
			*out = idx[0];
			return 0;
		}
	}
	found = find_named(p, name, n, idx);
	if (!found)
		return -ENOENT;
	k = found == 2 ? abi0_of_pair(p, idx) : -1;
	*out = k >= 0 ? idx[1 - k] : idx[0];
	return 0;
}

int pclntab__func_by_name(const struct pclntab *p, const char *name, uint64_t *entry,
			  uint64_t *size)
{
	const char *open, *close;
	uint64_t i, lo, sz;
	char *short_name;
	size_t n;
	int err;

	if (!name)
		return -EINVAL;
	open = strchr(name, '[');
	close = strrchr(name, ']');
	n = strlen(name);
	err = pick_named(p, name, n, &i);
	/* The 1.18–1.20 linkers wrote generic names with everything inside the
	 * outermost brackets replaced by "...". */
	if (err && p->h.layout != PCLNTAB_GO116 && open && close > open + 1 &&
	    (short_name = malloc(n + 4))) {
		size_t head = (size_t)(open - name);

		memcpy(short_name, name, head);
		memcpy(short_name + head, "[...]", 5);
		strcpy(short_name + head + 5, close + 1);
		err = pick_named(p, short_name, strlen(short_name), &i);
		free(short_name);
	}
	if (err)
		return err;
	func_range(p, i, &lo, &sz);
	if (entry)
		*entry = lo;
	if (size)
		*size = sz;
	return 0;
}

int pclntab__lookup(const struct pclntab *p, uint64_t pc, const char **func, const char **file,
		    uint32_t *line)
{
	uint64_t lo = 0, hi = p->h.nfunc, entry, size;
	const char *name, *fname = NULL;
	uint32_t pcfile, pcln;
	int32_t v;

	if (func)
		*func = NULL;
	if (file)
		*file = NULL;
	if (line)
		*line = 0;
	if (pc < ftab_pc(p, 0) || pc >= ftab_pc(p, p->h.nfunc))
		return -ENOENT;
	/* The last function whose entry is at or before pc. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ftab_pc(p, mid) <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	func_range(p, lo - 1, &entry, &size);
	name = func_name(p, lo - 1);
	if (pc - entry >= size || !name)
		return -ENOENT;
	if (!func_field(p, lo - 1, FIELD_PCFILE, &pcfile) &&
	    !pcvalue(p, pcfile, entry, pc, false, &v, NULL))
		fname = file_name(p, lo - 1, v);
	if (func)
		*func = name;
	if (file)
		*file = fname;
	if (line && !func_field(p, lo - 1, FIELD_PCLN, &pcln) &&
	    !pcvalue(p, pcln, entry, pc, false, &v, NULL) && v > 0)
		*line = (uint32_t)v;
	return 0;
}

/* Whether the 8 bytes at b open a header, before the costlier checks. */
static bool header_prefix(const uint8_t *b)
{
	return known_magic(get32(b, false)) || known_magic(get32(b, true));
}

int pclntab__find(const uint8_t *data, size_t len, size_t *off)
{
	size_t i, candidates = 0;

	if (!data || len < 16)
		return -ENOENT;
	for (i = 0; i + 16 <= len && candidates < FIND_MAX_CANDIDATES; i += 4) {
		struct pclntab_header h;
		struct pclntab *p;
		bool named;

		/* Cheap filter first: pads, quantum, pointer size, magic. */
		if (data[i + 4] || data[i + 5] || !data[i + 6] || data[i + 6] == 3 ||
		    data[i + 6] > 4 || (data[i + 7] != 4 && data[i + 7] != 8) ||
		    !header_prefix(data + i) || pclntab__header(data + i, len - i, &h))
			continue;
		candidates++;
		p = pclntab__new(data + i, len - i, 0);
		if (!p)
			continue;
		/* A real table names its first function. */
		named = !pclntab__func(p, 0, NULL, NULL, NULL);
		pclntab__free(p);
		if (!named)
			continue;
		*off = i;
		return 0;
	}
	return -ENOENT;
}

int pclntab__moduledata_text(const uint8_t *pcln, size_t len, uint64_t pcln_vaddr,
			     const uint8_t *seg, size_t seg_len, uint64_t *text)
{
	/* Word indexes in runtime.moduledata (1.16 through 1.26): pcHeader,
	 * then the slices funcnametab, cutab, filetab, pctab, pclntable, ftab
	 * (3 words each: data, len, cap), findfunctab, minpc, maxpc, text. */
	enum {
		MD_PCHEADER = 0,
		MD_FUNCNAMETAB = 1,
		MD_CUTAB = 4,
		MD_FILETAB = 7,
		MD_PCTAB = 10,
		MD_PCLNTABLE = 13,
		MD_FTAB = 16,
		MD_FTAB_LEN = 17,
		MD_MINPC = 20,
		MD_MAXPC = 21,
		MD_TEXT = 22,
		MD_WORDS = 23,
	};
	struct pclntab_header h;
	struct pclntab p;
	uint64_t first, last, need;
	size_t i;

	if (pclntab__header(pcln, len, &h) || h.layout == PCLNTAB_GO116 || !seg)
		return -EINVAL;
	/* Every address below is pcln_vaddr plus an offset inside len. */
	if (pcln_vaddr > UINT64_MAX - len)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.data = pcln;
	p.len = len;
	p.h = h;
	p.fieldsz = 4;
	first = ftab_field(&p, 0, 0);
	last = ftab_field(&p, h.nfunc, 0);
	need = (uint64_t)MD_WORDS * h.ptrsize;
	for (i = 0; seg_len >= need && i <= seg_len - need; i += h.ptrsize) {
		const uint8_t *w = seg + i;
		uint64_t t, minpc, maxpc;

#define WORD(k) get_word(w + (size_t)(k)*h.ptrsize, h.big_endian, h.ptrsize)
		if (WORD(MD_PCHEADER) != pcln_vaddr ||
		    WORD(MD_FUNCNAMETAB) != pcln_vaddr + h.funcname_off ||
		    WORD(MD_CUTAB) != pcln_vaddr + h.cu_off ||
		    WORD(MD_FILETAB) != pcln_vaddr + h.filetab_off ||
		    WORD(MD_PCTAB) != pcln_vaddr + h.pctab_off ||
		    WORD(MD_PCLNTABLE) != pcln_vaddr + h.functab_off ||
		    WORD(MD_FTAB) != pcln_vaddr + h.functab_off || WORD(MD_FTAB_LEN) != h.nfunc + 1)
			continue;
		t = WORD(MD_TEXT);
		minpc = WORD(MD_MINPC);
		maxpc = WORD(MD_MAXPC);
#undef WORD
		if (minpc < t || minpc - t != first || maxpc < t || maxpc - t != last)
			continue;
		*text = t;
		return 0;
	}
	return -ENOENT;
}
