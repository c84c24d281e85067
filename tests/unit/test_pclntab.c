/* pclntab: against .symtab and DWARF of the same program (TARGETS_DIR/gotiny
 * and its -ldflags='-s -w' and PIE builds), on hand-made tables of each
 * layout, and on truncated and corrupted copies placed between guard pages
 * so that a read one byte out of bounds crashes the test. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gobin.h"
#include "pclntab.h"
#include "symbolizer.h"

#define GOTINY		TARGETS_DIR "/gotiny"
#define GOTINY_STRIPPED TARGETS_DIR "/gotiny-stripped"
#define GOTINY_PIE	TARGETS_DIR "/gotiny-pie"

static const char *const probe_funcs[] = {
    "runtime.newproc1",	     "runtime.gopark",	"runtime.goexit1",
    "runtime.newproc.func1", "runtime.runqput", "main.spawnOne",
};

#define NPROBE (sizeof(probe_funcs) / sizeof(probe_funcs[0]))

/* A whole file in memory with the ELF facts the tests need, read with
 * <elf.h> alone, independently of gobin. */
struct image {
	uint8_t *data;
	size_t size;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *pcln, *text, *symtab;
};

static const Elf64_Shdr *section(const struct image *im, const char *name)
{
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(im->data + im->eh->e_shoff);
	const char *names = (const char *)im->data + sh[im->eh->e_shstrndx].sh_offset;

	for (int i = 0; i < im->eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

static void image_load(struct image *im, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	im->size = (size_t)st.st_size;
	im->data = malloc(im->size);
	assert_non_null(im->data);
	assert_int_equal(pread(fd, im->data, im->size, 0), (ssize_t)im->size);
	close(fd);
	im->eh = (const Elf64_Ehdr *)im->data;
	assert_int_equal(im->eh->e_ident[EI_CLASS], ELFCLASS64);
	im->pcln = section(im, ".gopclntab");
	if (!im->pcln)
		im->pcln = section(im, ".data.rel.ro.gopclntab");
	im->text = section(im, ".text");
	im->symtab = section(im, ".symtab");
	assert_non_null(im->pcln);
	assert_non_null(im->text);
}

static void image_free(struct image *im)
{
	free(im->data);
}

/* A copy of src with an inaccessible page on either side. */
struct guarded {
	uint8_t *map, *buf;
	size_t maplen;
};

static void guarded_new(struct guarded *g, const uint8_t *src, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), body = (len + page - 1) / page * page;

	g->maplen = body + 2 * page;
	g->map = mmap(NULL, g->maplen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	if (body)
		assert_int_equal(mprotect(g->map + page, body, PROT_READ | PROT_WRITE), 0);
	/* Flush with the guard page after it: one byte past the end faults. */
	g->buf = g->map + page + body - len;
	memcpy(g->buf, src, len);
}

static void guarded_free(struct guarded *g)
{
	munmap(g->map, g->maplen);
}

struct fixture {
	struct gobin *full, *stripped;
	struct image img; /* gotiny-stripped */
};

static int setup(void **state)
{
	static struct fixture f;

	f.full = gobin__open(GOTINY);
	f.stripped = gobin__open(GOTINY_STRIPPED);
	if (!f.full || !f.stripped) {
		fprintf(stderr, "cannot open %s or %s: %s\n", GOTINY, GOTINY_STRIPPED,
			strerror(errno));
		return -1;
	}
	image_load(&f.img, GOTINY_STRIPPED);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gobin__free(f->full);
	gobin__free(f->stripped);
	image_free(&f->img);
	return 0;
}

static void stripped_binary_is_stripped(void **state)
{
	struct fixture *f = *state;
	const struct gobin_symbol *syms;

	assert_null(f->img.symtab);
	assert_null(section(&f->img, ".debug_info"));
	assert_int_equal(gobin__symbols(f->stripped, &syms), 0);
	assert_non_null(gobin__pclntab(f->stripped));
}

/* The functions linger probes: same entry and size from the pclntab of the
 * stripped build as from .symtab of the full one. */
static void probe_functions_match_symtab(void **state)
{
	struct fixture *f = *state;
	const struct pclntab *p = gobin__pclntab(f->stripped);

	assert_non_null(p);
	for (size_t i = 0; i < NPROBE; i++) {
		struct gobin_sym want, got;
		uint64_t entry, size;

		assert_int_equal(gobin__symbol(f->full, probe_funcs[i], &want), 0);
		assert_int_equal(pclntab__func_by_name(p, probe_funcs[i], &entry, &size), 0);
		assert_int_equal(entry, want.vaddr);
		assert_int_equal(size, want.size);
		/* The same through gobin's fallback. */
		assert_int_equal(gobin__symbol(f->stripped, probe_funcs[i], &got), 0);
		assert_int_equal(got.vaddr, want.vaddr);
		assert_int_equal(got.size, want.size);
	}
}

/* Every function symbol of the full build, .abi0 names and middle dots
 * included. Only the runtime.text/etext markers are not functions there. */
static void every_function_matches_symtab(void **state)
{
	struct fixture *f = *state;
	const struct gobin_symbol *syms;
	size_t n = gobin__symbols(f->full, &syms), checked = 0;

	for (size_t i = 0; i < n; i++) {
		struct gobin_sym got;

		if (syms[i].type != STT_FUNC || !strcmp(syms[i].name, "runtime.text") ||
		    !strcmp(syms[i].name, "runtime.etext"))
			continue;
		if (gobin__symbol(f->stripped, syms[i].name, &got)) {
			fail_msg("%s not found in the pclntab", syms[i].name);
		}
		if (got.vaddr != syms[i].vaddr || got.size != syms[i].size)
			fail_msg("%s: pclntab %#lx+%lu, symtab %#lx+%lu", syms[i].name, got.vaddr,
				 got.size, syms[i].vaddr, syms[i].size);
		checked++;
	}
	assert_true(checked > 1000);
}

static void data_symbols_have_no_fallback(void **state)
{
	struct fixture *f = *state;
	struct gobin_sym s;

	assert_int_equal(gobin__symbol(f->full, "runtime.allgs", &s), 0);
	assert_int_equal(gobin__symbol(f->stripped, "runtime.allgs", &s), -ENOENT);
	assert_int_equal(gobin__symbol(f->stripped, "runtime.buildVersion", &s), -ENOENT);
	assert_int_equal(gobin__symbol(f->stripped, "runtime.newproc12", &s), -ENOENT);
	assert_int_equal(gobin__symbol(f->stripped, "runtime.newproc", &s), 0);
	assert_int_equal(gobin__symbol(f->stripped, "", &s), -ENOENT);
	/* Its version still comes from .go.buildinfo. */
	assert_string_equal(gobin__go_version(f->stripped), gobin__go_version(f->full));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* pc → function, file, line of the pclntab of `bin` against the symbolizer
 * (.symtab and DWARF) of `ref`, at 500 pcs spread over the text. */
static void lines_agree(const char *ref, const char *bin)
{
	struct gobin *gref = gobin__open(ref), *gb = gobin__open(bin);
	struct symbolizer *s;
	const struct pclntab *p;
	struct image im;
	size_t compared = 0, differ = 0;

	assert_non_null(gref);
	assert_non_null(gb);
	s = symbolizer__new(gref);
	assert_non_null(s);
	p = gobin__pclntab(gb);
	assert_non_null(p);
	image_load(&im, bin);
	for (int i = 0; i < 500; i++) {
		/* An odd stride lands at every offset within instructions. */
		uint64_t pc = im.text->sh_addr + (uint64_t)i * (im.text->sh_size / 500) + (i % 7);
		const char *func, *file;
		uint32_t line;
		struct symbolized want;
		uint64_t entry, size;

		if (symbolizer__lookup(s, pc, &want) || !want.file)
			continue;
		if (pclntab__lookup(p, pc, &func, &file, &line))
			fail_msg("pc %#lx (%s) not found in the pclntab", pc, want.func);
		/* .symtab's name resolves, through the pclntab, to the function
		 * that holds pc. */
		assert_int_equal(pclntab__func_by_name(p, want.func, &entry, &size), 0);
		assert_true(entry <= pc && pc < entry + size);
		/* DWARF joins "<autogenerated>" to the unit's directory ".". */
		if (!strncmp(want.file, "./", 2))
			want.file += 2;
		if (!file || strcmp(file, want.file) || line != want.line) {
			print_message("pc %#lx: pclntab %s:%u, DWARF %s:%u\n", pc,
				      file ? file : "-", line, want.file, want.line);
			differ++;
		}
		compared++;
	}
	/* Nearly all of the text is Go code with line tables. Go 1.19–1.21
	 * linkers drop a DWARF row now and then (at 0x40581d of a 1.19 gotiny
	 * DWARF says runtime2.go:266 where the pclntab and objdump say
	 * chan.go:380): a few in 10^5 pcs, so allow 1%. */
	assert_true(compared > 400);
	assert_true(differ * 100 <= compared);
	image_free(&im);
	symbolizer__free(s);
	gobin__free(gb);
	gobin__free(gref);
}

static void lines_agree_with_dwarf(void **state)
{
	(void)state;
	lines_agree(GOTINY, GOTINY_STRIPPED);
}

static void lines_agree_with_dwarf_pie(void **state)
{
	(void)state;
	lines_agree(GOTINY_PIE, GOTINY_PIE);
}

/* The symbolizer on the stripped build falls back to the pclntab for all
 * three answers. */
static void symbolizer_falls_back(void **state)
{
	struct fixture *f = *state;
	struct symbolizer *s = symbolizer__new(f->stripped);
	struct gobin_sym sym;
	struct symbolized out;

	assert_non_null(s);
	assert_int_equal(gobin__symbol(f->full, "main.spawnOne", &sym), 0);
	assert_int_equal(symbolizer__lookup(s, sym.vaddr + 1, &out), 0);
	assert_string_equal(out.func, "main.spawnOne");
	assert_non_null(out.file);
	assert_true(ends_with(out.file, "gotiny/main.go"));
	assert_true(out.line > 0);
	/* Padding after a function and addresses outside text stay unknown. */
	assert_int_equal(symbolizer__lookup(s, 0, &out), -ENOENT);
	assert_null(out.func);
	assert_int_equal(symbolizer__lookup(s, UINT64_MAX, &out), -ENOENT);
	symbolizer__free(s);
}

/* Without section headers the table of bin is found by scanning, runtime.text
 * can be read from the moduledata, and gobin gives the symbols and version
 * that ref (the same program, with .symtab) gives. */
static void sectionless(const char *bin, struct gobin *ref)
{
	char path[] = "/tmp/linger-pclntab-XXXXXX";
	struct gobin_sym want, got;
	struct image im;
	Elf64_Ehdr eh;
	struct gobin *gb;
	const Elf64_Phdr *ph;
	uint64_t text = 0;
	size_t off;
	int fd, found = 0;

	image_load(&im, bin);
	ph = (const Elf64_Phdr *)(im.data + im.eh->e_phoff);
	assert_int_equal(pclntab__find(im.data, im.size, &off), 0);
	assert_int_equal(off, im.pcln->sh_offset);
	for (int i = 0; i < im.eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_W))
			continue;
		if (!pclntab__moduledata_text(im.data + im.pcln->sh_offset, im.pcln->sh_size,
					      im.pcln->sh_addr, im.data + ph[i].p_offset,
					      ph[i].p_filesz, &text))
			found++;
	}
	assert_int_equal(found, 1);
	assert_int_equal(gobin__symbol(ref, "runtime.text", &want), 0);
	assert_int_equal(text, want.vaddr);

	/* The same file with its section headers zeroed out. */
	eh = *im.eh;
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, im.data, im.size), (ssize_t)im.size);
	assert_int_equal(pwrite(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
	close(fd);
	gb = gobin__open(path);
	unlink(path);
	assert_non_null(gb);
	assert_non_null(gobin__go_version(gb));
	assert_string_equal(gobin__go_version(gb), gobin__go_version(ref));
	for (size_t i = 0; i < NPROBE; i++) {
		assert_int_equal(gobin__symbol(ref, probe_funcs[i], &want), 0);
		assert_int_equal(gobin__symbol(gb, probe_funcs[i], &got), 0);
		assert_int_equal(got.vaddr, want.vaddr);
		assert_int_equal(got.size, want.size);
	}
	gobin__free(gb);
	image_free(&im);
}

static void found_without_sections(void **state)
{
	struct fixture *f = *state;

	sectionless(GOTINY_STRIPPED, f->full);
}

/* In a PIE the table and the build info sit in writable segments. */
static void found_without_sections_pie(void **state)
{
	struct gobin *ref = gobin__open(GOTINY_PIE);

	(void)state;
	assert_non_null(ref);
	sectionless(GOTINY_PIE, ref);
	gobin__free(ref);
}

/* Every prefix of the first 4 KiB is refused (the function table lies past
 * it), and prefixes of every size beyond are parsed or refused, never read
 * past. */
static void truncated(void **state)
{
	struct fixture *f = *state;
	const uint8_t *src = f->img.data + f->img.pcln->sh_offset;
	size_t full = f->img.pcln->sh_size;

	for (size_t len = 0; len <= 4096; len++) {
		struct guarded g;

		guarded_new(&g, src, len);
		assert_null(pclntab__new(g.buf, len, 0));
		guarded_free(&g);
	}
	for (size_t len = 4096; len <= full; len += 4093) {
		struct guarded g;
		struct pclntab *p;

		guarded_new(&g, src, len);
		p = pclntab__new(g.buf, len, 0);
		if (p) {
			for (size_t i = 0; i < NPROBE; i++)
				pclntab__func_by_name(p, probe_funcs[i], NULL, NULL);
			for (uint64_t pc = 0x401000; pc < 0x49b000; pc += 0x1001)
				pclntab__lookup(p, pc, NULL, NULL, NULL);
			pclntab__free(p);
		}
		guarded_free(&g);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64*: a fixed seed makes every run flip the same bytes. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Random byte flips, half of them in the header and the start of the
 * tables: parsing and every query must stay in bounds. */
static void corrupted(void **state)
{
	struct fixture *f = *state;
	const uint8_t *src = f->img.data + f->img.pcln->sh_offset;
	size_t len = f->img.pcln->sh_size;
	const struct pclntab *orig = gobin__pclntab(f->stripped);
	struct guarded g;
	size_t accepted = 0;

	guarded_new(&g, src, len);
	for (int iter = 0; iter < 3000; iter++) {
		size_t pos[8];
		uint8_t old[8];
		int n = 1 + (int)(rng() % 8);
		struct pclntab *p;

		for (int k = 0; k < n; k++) {
			pos[k] = (size_t)(rng() % (k & 1 ? len : 4096));
			old[k] = g.buf[pos[k]];
			g.buf[pos[k]] ^= (uint8_t)(1 + rng() % 255);
		}
		p = pclntab__new(g.buf, len, 0x401000);
		if (p) {
			accepted++;
			for (size_t i = 0; i < NPROBE; i++)
				pclntab__func_by_name(p, probe_funcs[i], NULL, NULL);
			for (int k = 0; k < 64; k++) {
				const char *fn, *file;
				uint32_t line;
				uint64_t pc = 0x401000 + rng() % 0x9a000;

				if (!pclntab__lookup(p, pc, &fn, &file, &line)) {
					assert_non_null(fn);
					assert_true(strlen(fn) < len);
				}
				pclntab__func(p, (size_t)(rng() % (pclntab__nfunc(p) + 2)), NULL,
					      NULL, NULL);
			}
			pclntab__free(p);
		}
		for (int k = n - 1; k >= 0; k--)
			g.buf[pos[k]] = old[k];
	}
	/* Restored, it reads as before. */
	assert_true(accepted > 0);
	assert_int_equal(memcmp(g.buf, src, len), 0);
	assert_non_null(orig);
	guarded_free(&g);
}

/* A hand-made table with two functions, for the layouts no toolchain here
 * writes (Go 1.16) and the header quirks (big endian, Go 1.26's zero
 * textStart). Function 0 "main.a" at 0x401000, 0x20 bytes: file main.go
 * throughout, line 10 for the first 0x10 bytes and 11 after. Function 1
 * "main.b" at 0x401040 (0x20 bytes of padding before it), 0x30 bytes, no
 * tables. After the real pc-value tables comes a bad one: a varint of six
 * bytes. */
struct synth {
	uint8_t buf[512];
	size_t len;
	bool be;
	size_t ftab;	    /* function table */
	size_t fields[2];   /* each _func's nameoff field; pcsp is at +12 */
	size_t pc_at;	    /* pctab */
	uint32_t bad_table; /* offset of the bad table in pctab */
};

static void put(struct synth *s, size_t at, uint64_t v, size_t width)
{
	for (size_t i = 0; i < width; i++) {
		size_t shift = 8 * (s->be ? width - 1 - i : i);

		s->buf[at + i] = (uint8_t)(v >> shift);
	}
}

static size_t append(struct synth *s, size_t *pos, const void *data, size_t n)
{
	size_t at = *pos;

	memcpy(s->buf + at, data, n);
	*pos += n;
	return at;
}

static void synth_build(struct synth *s, enum pclntab_layout layout, bool be, uint8_t ptrsize,
			uint64_t hdr_text)
{
	/* Values are zigzag deltas from -1, pc deltas in bytes (quantum 1).
	 * pcfile: 0 for 0x20. pcln: 10 for 0x10, then 11 for 0x10. pcsp: 0
	 * for 0x20. */
	static const uint8_t pcfile[] = {2, 0x20, 0};
	static const uint8_t pcln[] = {22, 0x10, 2, 0x10, 0};
	static const uint8_t pcsp[] = {2, 0x20, 0};
	static const uint8_t bad[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x10, 0};
	static const char names[] = "main.a\0main.b";
	static const char files[] = "main.go";
	const bool go116 = layout == PCLNTAB_GO116;
	const size_t nwords = go116 ? 7 : 8, fsz = go116 ? ptrsize : 4;
	const size_t funcsz = fsz + 10 * 4; /* entry, 9 fields, 4 bytes of flags */
	const uint64_t base = go116 ? 0x401000 : 0;
	size_t pos, names_at, cu_at, files_at, w = 2;
	uint32_t cu = 0;

	memset(s, 0, sizeof(*s));
	s->be = be;
	put(s, 0, go116 ? 0xfffffffa : layout == PCLNTAB_GO118 ? 0xfffffff0 : 0xfffffff1, 4);
	s->buf[6] = 1;
	s->buf[7] = ptrsize;
	pos = 8 + nwords * ptrsize;
	names_at = append(s, &pos, names, sizeof(names));
	pos = (pos + 3) & ~(size_t)3;
	cu_at = append(s, &pos, &cu, 4);
	files_at = append(s, &pos, files, sizeof(files));
	s->pc_at = pos++; /* offset 0 means "no table" */
	append(s, &pos, pcfile, sizeof(pcfile));
	append(s, &pos, pcln, sizeof(pcln));
	append(s, &pos, pcsp, sizeof(pcsp));
	s->bad_table = (uint32_t)(append(s, &pos, bad, sizeof(bad)) - s->pc_at);
	s->ftab = (pos + 7) & ~(size_t)7;
	/* {entry, funcoff} x 2, then the end; the records follow. */
	put(s, s->ftab, base, fsz);
	put(s, s->ftab + fsz, 5 * fsz, fsz);
	put(s, s->ftab + 2 * fsz, base + 0x40, fsz);
	put(s, s->ftab + 3 * fsz, 5 * fsz + funcsz, fsz);
	put(s, s->ftab + 4 * fsz, base + 0x70, fsz);
	for (int i = 0; i < 2; i++) {
		size_t at = s->ftab + 5 * fsz + (size_t)i * funcsz;

		put(s, at, base + (i ? 0x40 : 0), fsz);
		s->fields[i] = at + fsz;
		put(s, s->fields[i], i ? 7 : 0, 4); /* nameoff */
		if (!i) {
			put(s, s->fields[i] + 12, 1 + sizeof(pcfile) + sizeof(pcln), 4);
			put(s, s->fields[i] + 16, 1, 4);
			put(s, s->fields[i] + 20, 1 + sizeof(pcfile), 4);
		}
		put(s, s->fields[i] + 28, i ? 0xffffffff : 0, 4); /* cuOffset */
		s->len = at + funcsz;
	}
	put(s, 8, 2, ptrsize);		 /* nfunc */
	put(s, 8 + ptrsize, 1, ptrsize); /* nfiles */
	if (!go116)
		put(s, 8 + (w++) * ptrsize, hdr_text, ptrsize);
	put(s, 8 + (w++) * ptrsize, names_at, ptrsize);
	put(s, 8 + (w++) * ptrsize, cu_at, ptrsize);
	put(s, 8 + (w++) * ptrsize, files_at, ptrsize);
	put(s, 8 + (w++) * ptrsize, s->pc_at, ptrsize);
	put(s, 8 + (w++) * ptrsize, s->ftab, ptrsize);
	assert_int_equal(w, nwords);
	assert_true(s->len <= sizeof(s->buf));
}

static struct pclntab *synth_open(struct synth *s, struct guarded *g, uint64_t text_arg)
{
	guarded_new(g, s->buf, s->len);
	return pclntab__new(g->buf, s->len, text_arg);
}

static void synth_check(struct synth *s, uint64_t text_arg)
{
	struct guarded g;
	struct pclntab *p = synth_open(s, &g, text_arg);
	const char *fn, *file;
	uint32_t line;
	uint64_t entry, size;

	assert_non_null(p);
	assert_int_equal(pclntab__text_start(p),
			 pclntab__layout(p) == PCLNTAB_GO116 ? 0 : 0x401000);
	assert_int_equal(pclntab__nfunc(p), 2);
	assert_int_equal(pclntab__func_by_name(p, "main.a", &entry, &size), 0);
	assert_int_equal(entry, 0x401000);
	assert_int_equal(size, 0x20); /* pcsp's end, not the next entry */
	assert_int_equal(pclntab__func_by_name(p, "main.b", &entry, &size), 0);
	assert_int_equal(entry, 0x401040);
	assert_int_equal(size, 0x30); /* no tables: up to the end of text */
	assert_int_equal(pclntab__func_by_name(p, "main.c", NULL, NULL), -ENOENT);
	assert_int_equal(pclntab__func_by_name(p, "main.", NULL, NULL), -ENOENT);
	assert_int_equal(pclntab__func_by_name(p, "main.a.abi0", NULL, NULL), -ENOENT);

	assert_int_equal(pclntab__lookup(p, 0x401000, &fn, &file, &line), 0);
	assert_string_equal(fn, "main.a");
	assert_string_equal(file, "main.go");
	assert_int_equal(line, 10);
	assert_int_equal(pclntab__lookup(p, 0x40100f, &fn, &file, &line), 0);
	assert_int_equal(line, 10);
	assert_int_equal(pclntab__lookup(p, 0x401010, &fn, &file, &line), 0);
	assert_int_equal(line, 11);
	assert_int_equal(pclntab__lookup(p, 0x40101f, &fn, &file, &line), 0);
	assert_int_equal(line, 11);
	/* Padding between the functions, and around the text. */
	assert_int_equal(pclntab__lookup(p, 0x401020, &fn, &file, &line), -ENOENT);
	assert_null(fn);
	assert_null(file);
	assert_int_equal(line, 0);
	assert_int_equal(pclntab__lookup(p, 0x400fff, &fn, &file, &line), -ENOENT);
	assert_int_equal(pclntab__lookup(p, 0x401070, &fn, &file, &line), -ENOENT);
	/* A function without tables: named, no file or line. */
	assert_int_equal(pclntab__lookup(p, 0x40106f, &fn, &file, &line), 0);
	assert_string_equal(fn, "main.b");
	assert_null(file);
	assert_int_equal(line, 0);
	assert_int_equal(pclntab__func(p, 2, NULL, NULL, NULL), -ERANGE);
	pclntab__free(p);
	guarded_free(&g);
}

static void layouts(void **state)
{
	struct synth s;
	struct pclntab_header h;

	(void)state;
	/* Go 1.16: absolute entries, word-sized table fields. */
	synth_build(&s, PCLNTAB_GO116, false, 8, 0);
	synth_check(&s, 0);
	synth_build(&s, PCLNTAB_GO116, true, 4, 0);
	synth_check(&s, 0);
	/* Go 1.18–1.25: the header's textStart wins over the argument. */
	synth_build(&s, PCLNTAB_GO118, false, 8, 0x401000);
	synth_check(&s, 0x777000);
	synth_build(&s, PCLNTAB_GO120, true, 4, 0x401000);
	synth_check(&s, 0);
	/* Go 1.26: textStart is 0, the caller's value is used. */
	synth_build(&s, PCLNTAB_GO120, false, 8, 0);
	assert_int_equal(pclntab__header(s.buf, s.len, &h), 0);
	assert_int_equal(h.text_start, 0);
	assert_int_equal(h.layout, PCLNTAB_GO120);
	synth_check(&s, 0x401000);
	/* Go 1.2–1.15 is recognised and refused. */
	put(&s, 0, 0xfffffffb, 4);
	assert_int_equal(pclntab__header(s.buf, s.len, &h), -ENOTSUP);
	errno = 0;
	assert_null(pclntab__new(s.buf, s.len, 0));
	assert_int_equal(errno, ENOTSUP);
	/* Bad pads, quantum, pointer size; no functions. */
	synth_build(&s, PCLNTAB_GO120, false, 8, 0);
	s.buf[4] = 1;
	assert_int_equal(pclntab__header(s.buf, s.len, &h), -EINVAL);
	s.buf[4] = 0;
	s.buf[6] = 3;
	assert_int_equal(pclntab__header(s.buf, s.len, &h), -EINVAL);
	s.buf[6] = 1;
	s.buf[7] = 2;
	assert_int_equal(pclntab__header(s.buf, s.len, &h), -EINVAL);
	s.buf[7] = 8;
	put(&s, 8, 0, 8);
	assert_int_equal(pclntab__header(s.buf, s.len, &h), -EINVAL);
	put(&s, 8, 2, 8);
	assert_int_equal(pclntab__header(s.buf, s.len, &h), 0);
	/* More functions than the buffer holds. */
	put(&s, 8, UINT64_MAX / 2, 8);
	assert_int_equal(pclntab__header(s.buf, s.len, &h), -EINVAL);
	put(&s, 8, 2, 8);
	/* Entries that go backwards: the end before the second entry. */
	put(&s, s.ftab + 16, 0x30, 4);
	errno = 0;
	assert_null(pclntab__new(s.buf, s.len, 0x401000));
	assert_int_equal(errno, EINVAL);
	/* A base that makes the entries wrap. */
	put(&s, s.ftab + 16, 0x70, 4);
	assert_null(pclntab__new(s.buf, s.len, UINT64_MAX - 0x20));
	pclntab__free(NULL);
}

/* Tables that are malformed or point outside the buffer: the answer loses
 * what they would have said, and nothing is read out of bounds. */
static void bad_tables(void **state)
{
	struct pclntab_header h;
	struct synth s;
	struct guarded g;
	struct pclntab *p;
	const char *fn, *file;
	uint32_t line;
	uint64_t entry, size;

	(void)state;
	synth_build(&s, PCLNTAB_GO120, false, 8, 0x401000);
	put(&s, s.fields[0] + 16, s.bad_table, 4);	   /* pcfile: 6-byte varint */
	put(&s, s.fields[0] + 20, s.len - 1 - s.pc_at, 4); /* pcln: off the end */
	put(&s, s.fields[0] + 12, 0xfffffff0, 4);	   /* pcsp: outside */
	p = synth_open(&s, &g, 0);
	assert_non_null(p);
	assert_int_equal(pclntab__lookup(p, 0x401000, &fn, &file, &line), 0);
	assert_string_equal(fn, "main.a");
	assert_null(file);
	assert_int_equal(line, 0);
	/* Without pcsp the size runs to the next entry. */
	assert_int_equal(pclntab__func_by_name(p, "main.a", &entry, &size), 0);
	assert_int_equal(size, 0x40);
	pclntab__free(p);
	guarded_free(&g);

	/* A name offset past the end, a cutab index past the end. */
	synth_build(&s, PCLNTAB_GO120, false, 8, 0x401000);
	put(&s, s.fields[1], 0x7fffffff, 4);
	put(&s, s.fields[0] + 28, 0x7fffffff, 4);
	p = synth_open(&s, &g, 0);
	assert_non_null(p);
	assert_int_equal(pclntab__lookup(p, 0x401040, &fn, &file, &line), -ENOENT);
	assert_int_equal(pclntab__func(p, 1, &fn, NULL, NULL), -EINVAL);
	assert_int_equal(pclntab__func_by_name(p, "main.b", NULL, NULL), -ENOENT);
	assert_int_equal(pclntab__lookup(p, 0x401000, &fn, &file, &line), 0);
	assert_null(file);
	assert_int_equal(line, 10);
	pclntab__free(p);
	guarded_free(&g);

	/* A name that runs into the end of the buffer without its NUL. */
	synth_build(&s, PCLNTAB_GO120, false, 8, 0x401000);
	assert_int_equal(pclntab__header(s.buf, s.len, &h), 0);
	s.buf[s.len - 1] = 'x';
	put(&s, s.fields[1], s.len - 1 - h.funcname_off, 4);
	p = synth_open(&s, &g, 0);
	assert_non_null(p);
	assert_int_equal(pclntab__lookup(p, 0x401040, &fn, &file, &line), -ENOENT);
	assert_int_equal(pclntab__func_by_name(p, "x", NULL, NULL), -ENOENT);
	assert_int_equal(pclntab__func_by_name(p, "main.a", NULL, NULL), 0);
	pclntab__free(p);
	guarded_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stripped_binary_is_stripped),
	    cmocka_unit_test(probe_functions_match_symtab),
	    cmocka_unit_test(every_function_matches_symtab),
	    cmocka_unit_test(data_symbols_have_no_fallback),
	    cmocka_unit_test(lines_agree_with_dwarf),
	    cmocka_unit_test(lines_agree_with_dwarf_pie),
	    cmocka_unit_test(symbolizer_falls_back),
	    cmocka_unit_test(found_without_sections),
	    cmocka_unit_test(found_without_sections_pie),
	    cmocka_unit_test(truncated),
	    cmocka_unit_test(corrupted),
	};
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(layouts),
	    cmocka_unit_test(bad_tables),
	};
	int failed = cmocka_run_group_tests(tests, setup, teardown);

	return failed + cmocka_run_group_tests(plain, NULL, NULL);
}
