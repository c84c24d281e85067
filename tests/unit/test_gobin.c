/* gobin on a real Go binary (TARGETS_DIR/gotiny), a C binary and a file
 * that is not ELF. Addresses and offsets are checked against a second,
 * independent reading of the ELF headers done here with <elf.h> and pread. */
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
#include <unistd.h>

#include "gobin.h"
#include "goversion.h"

#define GOTINY	TARGETS_DIR "/gotiny"
#define NOT_ELF FIXTURES_DIR "/not-elf.txt"

struct elf_view {
	int fd;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[32];
	int nph;
};

static void view_open(struct elf_view *v, const char *path)
{
	v->fd = open(path, O_RDONLY);
	assert_true(v->fd >= 0);
	assert_int_equal(pread(v->fd, &v->eh, sizeof(v->eh), 0), sizeof(v->eh));
	assert_int_equal(v->eh.e_ident[EI_CLASS], ELFCLASS64);
	assert_true(v->eh.e_phnum <= 32);
	v->nph = v->eh.e_phnum;
	assert_int_equal(
	    pread(v->fd, v->ph, sizeof(Elf64_Phdr) * (size_t)v->nph, (off_t)v->eh.e_phoff),
	    (ssize_t)(sizeof(Elf64_Phdr) * (size_t)v->nph));
}

/* The file offset of vaddr by the textbook formula, or -1. */
static int64_t view_offset(const struct elf_view *v, uint64_t vaddr)
{
	for (int i = 0; i < v->nph; i++) {
		const Elf64_Phdr *p = &v->ph[i];

		if (p->p_type == PT_LOAD && vaddr >= p->p_vaddr && vaddr < p->p_vaddr + p->p_filesz)
			return (int64_t)(vaddr - p->p_vaddr + p->p_offset);
	}
	return -1;
}

static int setup(void **state)
{
	struct gobin *gb = gobin__open(GOTINY);

	if (!gb) {
		fprintf(stderr, "cannot open %s: %s\n", GOTINY, strerror(errno));
		return -1;
	}
	*state = gb;
	return 0;
}

static int teardown(void **state)
{
	gobin__free(*state);
	return 0;
}

static void header_and_version(void **state)
{
	struct gobin *gb = *state;
	const char *v = gobin__go_version(gb);
	struct goversion gv;

	assert_int_equal(gobin__machine(gb), EM_X86_64);
	assert_non_null(v);
	assert_memory_equal(v, "go1.", 4);
	assert_int_equal(goversion__parse(v, &gv), 0);
	assert_true(goversion__cmp(&gv, 1, 17) >= 0);
}

static void symbols(void **state)
{
	static const char *const names[] = {"runtime.newproc1", "runtime.gopark", "runtime.goexit1",
					    "main.spawnOne"};
	struct gobin *gb = *state;
	const struct gobin_symbol *all;
	struct gobin_sym s;
	size_t n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(gobin__symbol(gb, names[i], &s), 0);
		assert_true(s.vaddr != 0);
		assert_true(s.size != 0);
	}
	/* Data symbols are there too. */
	assert_int_equal(gobin__symbol(gb, "runtime.allgs", &s), 0);
	assert_int_equal(gobin__symbol(gb, "runtime.waitReasonStrings", &s), 0);
	assert_true(s.size >= 27 * 16);
	/* Exact names only. */
	assert_int_equal(gobin__symbol(gb, "runtime.newproc", &s), 0);
	assert_int_equal(gobin__symbol(gb, "runtime.newproc12", &s), -ENOENT);
	assert_int_equal(gobin__symbol(gb, "runtime.gopar", &s), -ENOENT);
	assert_int_equal(gobin__symbol(gb, "", &s), -ENOENT);

	/* Every listed symbol is found by its name (the first of duplicates). */
	n = gobin__symbols(gb, &all);
	assert_true(n > 1000);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(gobin__symbol(gb, all[i].name, &s), 0);
}

static void offsets_and_reads(void **state)
{
	struct gobin *gb = *state;
	struct elf_view v;
	struct gobin_sym s;
	uint8_t mine[64], file[64];
	uint64_t off, base = 0;
	int have_base = 0;

	view_open(&v, GOTINY);
	assert_int_equal(gobin__is_pie(gb), v.eh.e_type == ET_DYN);
	for (int i = 0; i < v.nph && !have_base; i++) {
		if (v.ph[i].p_type == PT_LOAD && (v.ph[i].p_flags & PF_X)) {
			base = v.ph[i].p_vaddr - v.ph[i].p_offset;
			have_base = 1;
		}
	}
	assert_true(have_base);
	assert_int_equal(gobin__load_base(gb), base);

	assert_int_equal(gobin__symbol(gb, "main.spawnOne", &s), 0);
	assert_int_equal(gobin__file_offset(gb, s.vaddr, &off), 0);
	assert_int_equal((int64_t)off, view_offset(&v, s.vaddr));
	assert_int_equal(gobin__read(gb, s.vaddr, mine, sizeof(mine)), 0);
	assert_int_equal(pread(v.fd, file, sizeof(file), (off_t)off), sizeof(file));
	assert_memory_equal(mine, file, sizeof(mine));

	assert_int_equal(gobin__symbol(gb, "runtime.newproc1", &s), 0);
	assert_int_equal(gobin__file_offset(gb, s.vaddr + 5, &off), 0);
	assert_int_equal((int64_t)off, view_offset(&v, s.vaddr + 5));

	/* Unmapped and not file-backed addresses. */
	assert_int_equal(gobin__file_offset(gb, 0, &off), -ENOENT);
	assert_int_equal(gobin__read(gb, 0, mine, 1), -ENOENT);
	assert_int_equal(gobin__read(gb, UINT64_MAX - 2, mine, 8), -ENOENT);
	/* .bss lives in memory only. */
	assert_int_equal(gobin__symbol(gb, "runtime.allgs", &s), 0);
	assert_int_equal(gobin__read(gb, s.vaddr, mine, 8), -ENOENT);
	assert_int_equal(gobin__read(gb, s.vaddr, mine, 0), 0);
	close(v.fd);
}

struct known_offsets {
	int minor;
	uint32_t atomicstatus, goid, waitsince, waitreason;
	int32_t parent_goid;
	uint32_t gopc, startpc, gobuf_bp, m_curg;
};

static const struct known_offsets known[] = {
    {17, 144, 152, 168, 176, -1, 296, 312, 48, 192},
    {19, 144, 152, 168, 176, -1, 296, 312, 48, 192},
    {21, 144, 152, 168, 176, 272, 280, 296, 48, 192},
    {22, 144, 152, 168, 176, 272, 280, 296, 48, 192},
    {23, 152, 160, 176, 184, 280, 288, 304, 48, 192},
    {24, 152, 160, 176, 184, 280, 288, 304, 48, 192},
    {25, 144, 152, 168, 176, 272, 280, 296, 40, 184},
    {26, 144, 152, 168, 176, 280, 288, 304, 40, 184},
};

static void dwarf_offsets(void **state)
{
	struct gobin *gb = *state;
	struct go_offsets o;
	struct goversion gv;
	uint32_t g[9];
	size_t ng = 0;

	assert_int_equal(goversion__parse(gobin__go_version(gb), &gv), 0);
	assert_int_equal(gobin__offsets(gb, &o), 0);

	/* What holds in every version: distinct fields inside a g of < 512
	 * bytes, sched after m, the gobuf's pc after its sp and before bp. */
	g[ng++] = o.g_goid;
	g[ng++] = o.g_gopc;
	g[ng++] = o.g_startpc;
	g[ng++] = o.g_atomicstatus;
	g[ng++] = o.g_waitreason;
	g[ng++] = o.g_waitsince;
	g[ng++] = o.g_m;
	g[ng++] = o.g_sched;
	if (o.g_parent_goid >= 0)
		g[ng++] = (uint32_t)o.g_parent_goid;
	for (size_t i = 0; i < ng; i++) {
		assert_true(g[i] < 512);
		for (size_t j = i + 1; j < ng; j++)
			assert_int_not_equal(g[i], g[j]);
	}
	assert_true(o.g_sched > o.g_m);
	assert_true(o.gobuf_sp < o.gobuf_pc);
	assert_true(o.gobuf_pc < o.gobuf_bp);
	assert_true(o.gobuf_bp < 64);
	assert_true(o.m_curg < 512);
	assert_int_equal(o.g_parent_goid >= 0, goversion__cmp(&gv, 1, 21) >= 0);

	/* The values go-runtime.md §4.1 read from the DWARF of each release. */
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct known_offsets *k = &known[i];

		if (gv.major != 1 || gv.minor != k->minor)
			continue;
		assert_int_equal(o.g_goid, k->goid);
		assert_int_equal(o.g_atomicstatus, k->atomicstatus);
		assert_int_equal(o.g_waitsince, k->waitsince);
		assert_int_equal(o.g_waitreason, k->waitreason);
		assert_int_equal(o.g_parent_goid, k->parent_goid);
		assert_int_equal(o.g_gopc, k->gopc);
		assert_int_equal(o.g_startpc, k->startpc);
		assert_int_equal(o.g_m, 48);
		assert_int_equal(o.g_sched, 56);
		assert_int_equal(o.gobuf_sp, 0);
		assert_int_equal(o.gobuf_pc, 8);
		assert_int_equal(o.gobuf_bp, k->gobuf_bp);
		assert_int_equal(o.m_curg, k->m_curg);
	}
}

static void not_elf(void **state)
{
	(void)state;
	errno = 0;
	assert_null(gobin__open(NOT_ELF));
	assert_int_equal(errno, ENOEXEC);
	errno = 0;
	assert_null(gobin__open(FIXTURES_DIR));
	assert_int_equal(errno, ENOEXEC);
	errno = 0;
	assert_null(gobin__open(FIXTURES_DIR "/does-not-exist"));
	assert_int_equal(errno, ENOENT);
	gobin__free(NULL);
}

static void c_binary(void **state)
{
	struct gobin *gb = gobin__open("/bin/true");
	struct go_offsets o;
	struct gobin_sym s;

	(void)state;
	assert_non_null(gb);
	assert_int_equal(gobin__machine(gb), EM_X86_64);
	assert_null(gobin__go_version(gb));
	assert_int_equal(gobin__symbol(gb, "runtime.gopark", &s), -ENOENT);
	assert_int_equal(gobin__offsets(gb, &o), -ENODATA);
	gobin__free(gb);
}

/* A Go binary for another architecture still opens and names its Go
 * version, and says which machine it is for: the session refuses it. */
static void arm64_binary(void **state)
{
	struct gobin *gb = gobin__open(TARGETS_DIR "/gotiny-arm64");

	(void)state;
	assert_non_null(gb);
	assert_int_equal(gobin__machine(gb), EM_AARCH64);
	assert_non_null(gobin__go_version(gb));
	assert_true(!strncmp(gobin__go_version(gb), "go1.", 4));
	gobin__free(gb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(header_and_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(symbols, setup, teardown),
	    cmocka_unit_test_setup_teardown(offsets_and_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(dwarf_offsets, setup, teardown),
	    cmocka_unit_test(not_elf),
	    cmocka_unit_test(c_binary),
	    cmocka_unit_test(arm64_binary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
