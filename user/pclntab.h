/* The Go pclntab (.gopclntab): function table, function names, file names
 * and pc→line tables, which the linker keeps even in binaries stripped with
 * -ldflags='-s -w'. Parsed from a buffer, so tests and fuzzers feed it
 * bytes directly; the layout is described in pclntab.c. Layouts of Go 1.16
 * and later are read (magics 0xfffffffa, 0xfffffff0, 0xfffffff1); the Go
 * 1.2–1.15 layout is refused. Nothing here trusts the bytes: every read is
 * bounds-checked, whatever the buffer holds. */
#ifndef LINGER_PCLNTAB_H
#define LINGER_PCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pclntab;

/* The first Go release of each layout the parser reads. */
enum pclntab_layout {
	PCLNTAB_GO116 = 116, /* 0xfffffffa: Go 1.16, 1.17 */
	PCLNTAB_GO118 = 118, /* 0xfffffff0: Go 1.18, 1.19 */
	PCLNTAB_GO120 = 120, /* 0xfffffff1: Go 1.20 and later */
};

/* The fixed header (runtime.pcHeader), decoded. Offsets count from the
 * header's first byte, which is the start of the buffer. */
struct pclntab_header {
	enum pclntab_layout layout;
	bool big_endian;
	uint8_t quantum; /* minLC: 1 on x86, 4 on arm64 */
	uint8_t ptrsize; /* 4 or 8 */
	uint64_t nfunc;
	uint64_t nfiles;
	/* The header's textStart: 0 in the 1.16 layout (entries are absolute
	 * there), and 0 again from Go 1.26, whose linker no longer fills it. */
	uint64_t text_start;
	uint64_t funcname_off;
	uint64_t cu_off;
	uint64_t filetab_off;
	uint64_t pctab_off;
	uint64_t functab_off;
	size_t size; /* bytes of the header itself */
};

/* Decodes and checks the header at data: magic in either byte order, pad
 * bytes zero, quantum 1, 2 or 4, pointer size 4 or 8, at least one
 * function, every table offset past the header and inside len, and the
 * function table ((2 * nfunc + 1) fields) whole inside len. Reads nothing
 * past len. Returns 0, -EINVAL for anything else, or -ENOTSUP for the Go
 * 1.2–1.15 magic (0xfffffffb). */
int pclntab__header(const uint8_t *data, size_t len, struct pclntab_header *out);

/* Parses the pclntab in data[0, len). data is not copied: it must stay
 * valid and unchanged until pclntab__free, and every string returned later
 * points into it.
 *
 * text_start is runtime.text, the base of the 1.18+ layouts' entry
 * offsets, and is used only when the header's textStart is 0 (Go 1.26 and
 * later): the caller takes it from the moduledata (pclntab__moduledata_text)
 * or the .text section. Pass 0 when unknown: addresses are then offsets
 * from runtime.text. Ignored for the 1.16 layout, whose entries are
 * absolute. Binaries with several text sections (very large ppc64 or arm
 * programs) are read as if they had one.
 *
 * Checks the header and that function entries never decrease, which costs
 * one pass over the function table; the rest is checked as it is read.
 * Returns NULL with errno EINVAL (malformed), ENOTSUP (Go 1.2–1.15 layout)
 * or ENOMEM. */
struct pclntab *pclntab__new(const uint8_t *data, size_t len, uint64_t text_start);
/* Safe on NULL. Does not free the buffer. */
void pclntab__free(struct pclntab *p);

/* The layout read, and the text start in use: the header's, else the
 * caller's (see pclntab__new); 0 for the 1.16 layout. */
enum pclntab_layout pclntab__layout(const struct pclntab *p);
uint64_t pclntab__text_start(const struct pclntab *p);

/* Number of entries of the function table. */
size_t pclntab__nfunc(const struct pclntab *p);
/* The i-th function in address order: its name (NUL-terminated, points into
 * the buffer), entry address and size. The size is where the function's
 * pc-value tables end, which is the symbol size the linker wrote to .symtab
 * (alignment padding excluded); when those tables are missing or do not
 * fit, it is the distance to the next function's entry (or to the end of
 * text for the last one). Returns 0, -ERANGE when i >= nfunc, or -EINVAL
 * when that entry is malformed. Any out argument may be NULL. */
int pclntab__func(const struct pclntab *p, size_t i, const char **name, uint64_t *entry,
		  uint64_t *size);

/* Finds a function by the name .symtab gives it ("runtime.newproc1",
 * "main.(*T).M", "runtime.newproc.func1") and gives its entry and size as
 * pclntab__func does. The pclntab's names differ from .symtab's in three
 * ways, all undone here: an assembly function and its ABI wrapper share one
 * name, which .symtab splits into "X.abi0" (the ABI0 one: the .s function,
 * or the wrapper of a Go function) and "X"; a middle dot (U+00B7) in a name
 * is '.' in .symtab; and the Go 1.18–1.20 linkers shortened generic names
 * to "F[...]", so that "F[int]" finds the first instantiation of F there.
 * Otherwise, of several functions with one name the lowest address wins.
 * A linear pass over the table (a few milliseconds for the largest
 * binaries): meant for the dozen names of an attach, not for a loop.
 * Returns 0, -ENOENT, or -EINVAL for a NULL name. Out arguments may be
 * NULL. */
int pclntab__func_by_name(const struct pclntab *p, const char *name, uint64_t *entry,
			  uint64_t *size);

/* Maps a link-time pc to the function that contains it, and the file and
 * line of the instruction there. For inlined code the file and line are
 * the inlined callee's (as in the DWARF line table) while the function is
 * the outer one. Strings point into the buffer. Returns 0 when a function
 * covers pc (*file is then NULL and *line 0 if the tables say nothing), or
 * -ENOENT (outside every function, or in the padding after one; the out
 * arguments are then NULL and 0). Any out argument may be NULL. */
int pclntab__lookup(const struct pclntab *p, uint64_t pc, const char **func, const char **file,
		    uint32_t *line);

/* Looks for a pclntab in data[0, len), for binaries without section
 * headers: at each 4-byte aligned offset, a magic followed by 0, 0, a
 * quantum of 1, 2 or 4 and a pointer size of 4 or 8, then a header that
 * pclntab__header accepts and a function table that pclntab__new accepts.
 * One pass, constant work per offset except at the rare full candidates.
 * Returns 0 with *off at the first match, or -ENOENT. */
int pclntab__find(const uint8_t *data, size_t len, size_t *off);

/* Finds runtime.firstmoduledata in seg (the file bytes of a writable
 * segment, loaded at a pointer-aligned address) and returns its text field,
 * runtime.text. pcln/len is the pclntab, loaded at pcln_vaddr. The
 * moduledata starts with pointers to the pclntab and its tables, then the
 * function table's length and minpc/maxpc; all of them must match (so minpc
 * - text must equal the first entry offset), which leaves no room for a
 * chance hit. Only for the 1.18+ layouts. Returns 0, -EINVAL for a pclntab
 * pclntab__header refuses or the 1.16 layout, or -ENOENT. */
int pclntab__moduledata_text(const uint8_t *pcln, size_t len, uint64_t pcln_vaddr,
			     const uint8_t *seg, size_t seg_len, uint64_t *text);

#endif
