/* What the gobin and dwarf harnesses share: the input as a file (gobin__open
 * takes a path), and one pass over everything linger asks of a binary.
 * Included by exactly one harness per executable. */
#ifndef LINGER_FUZZ_GOBIN_H
#define LINGER_FUZZ_GOBIN_H

#include "fuzz.h"

#include "gobin.h"
#include "goversion.h"
#include "pclntab.h"
#include "probesite.h"
#include "symbolizer.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file linger would read through /proc/PID/exe: a memfd, rewritten
 * for each input and opened by its /proc/self/fd path. */
static int fuzz_memfd = -1;
static char fuzz_path[64];
/* Descriptors looked at for leaks: gobin opens the file once per open. */
#define FUZZ_FDS_MAX 256

/* Writes data to the memfd; returns its path, or NULL. */
static const char *fuzz__file(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (fuzz_memfd < 0) {
		fuzz_memfd = memfd_create("linger-fuzz", MFD_CLOEXEC);
		if (fuzz_memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_memfd);
	}
	if (ftruncate(fuzz_memfd, 0))
		return NULL;
	while (done < size) {
		ssize_t n = pwrite(fuzz_memfd, data + done, size - done, (off_t)done);

		if (n <= 0)
			return NULL;
		done += (size_t)n;
	}
	return fuzz_path;
}

/* Aborts when a descriptor other than the memfd itself still refers to
 * the memfd's file: some path through gobin leaked one. (A plain count of
 * open descriptors would trip over libFuzzer's own symbolizer pipes.) */
static void fuzz__check_fds(void)
{
	struct stat mine, st;
	int fd;

	if (fstat(fuzz_memfd, &mine))
		abort();
	for (fd = 0; fd < FUZZ_FDS_MAX; fd++) {
		if (fd == fuzz_memfd || fstat(fd, &st))
			continue;
		if (st.st_dev == mine.st_dev && st.st_ino == mine.st_ino) {
			fprintf(stderr, "descriptor leak: fd %d still open on the input\n", fd);
			abort();
		}
	}
}

/* Functions linger looks up and decodes (session.c). */
static const char *const fuzz_names[] = {
    "runtime.newproc.func1",
    "runtime.runqput",
    "runtime.newproc1",
    "runtime.gopark",
    "runtime.goexit1",
    "runtime.waitReasonStrings",
    "runtime.allgs",
    "runtime.buildVersion",
    "runtime.text",
    "main.main",
    "main.spawnOne.func1.abi0",
    "main.G[int]",
};

#define FUZZ_CODE_MAX 65536

static void fuzz__code(const struct gobin *gb, const struct gobin_sym *sym, uint64_t target)
{
	size_t len = sym->size < FUZZ_CODE_MAX ? (size_t)sym->size : FUZZ_CODE_MAX;
	uint64_t sites[8], off;
	struct probesite ps;
	uint8_t *code;

	(void)gobin__file_offset(gb, sym->vaddr, &off);
	if (!len || !(code = malloc(len)))
		return;
	if (!gobin__read(gb, sym->vaddr, code, len)) {
		(void)probesite__prologue(code, len, sym->vaddr, &ps);
		(void)probesite__calls_to(code, len, sym->vaddr, target, sites, 8);
		(void)probesite__returns(code, len, sym->vaddr, sites, 8);
	}
	free(code);
}

static void fuzz__symbolize(struct symbolizer *s, uint64_t vaddr)
{
	struct symbolized out;

	if (!symbolizer__lookup(s, vaddr, &out) && out.func)
		(void)strlen(out.func);
	if (!symbolizer__lookup(s, vaddr, &out) && out.file) /* cached */
		(void)strlen(out.file);
}

static void fuzz__pclntab(const struct pclntab *p, struct symbolizer *s)
{
	size_t n = pclntab__nfunc(p), i;

	for (i = 0; i < n && i < 32; i++) {
		const char *name, *func, *file;
		uint64_t entry, size;
		uint32_t line;

		if (pclntab__func(p, i, &name, &entry, &size))
			continue;
		(void)pclntab__lookup(p, entry, &func, &file, &line);
		if (size)
			(void)pclntab__lookup(p, entry + size - 1, &func, &file, &line);
		if (s)
			fuzz__symbolize(s, entry);
	}
}

/* Opens the input as a binary and asks it everything linger asks. */
static void fuzz__gobin(const uint8_t *data, size_t size)
{
	const char *path = fuzz__file(data, size), *version;
	const struct gobin_symbol *syms;
	struct gobin_sym sym, runqput = {0, 0};
	const struct pclntab *pcln;
	struct symbolizer *s;
	struct go_offsets off;
	struct goversion gv;
	uint8_t buf[64];
	struct gobin *gb;
	size_t n, i;

	if (!path)
		return;
	gb = gobin__open(path);
	if (!gb)
		goto cleanup;
	(void)gobin__machine(gb);
	(void)gobin__is_pie(gb);
	(void)gobin__read(gb, gobin__load_base(gb), buf, sizeof(buf));
	version = gobin__go_version(gb);
	if (version && strlen(version) >= 256)
		abort();
	if (version)
		(void)goversion__parse(version, &gv);
	n = gobin__symbols(gb, &syms);
	for (i = 0; i < n && i < 64; i++) {
		(void)strlen(syms[i].name);
		(void)gobin__read(gb, syms[i].vaddr, buf,
				  syms[i].size < sizeof(buf) ? syms[i].size : sizeof(buf));
	}
	(void)gobin__symbol(gb, "runtime.runqput", &runqput);
	for (i = 0; i < sizeof(fuzz_names) / sizeof(fuzz_names[0]); i++)
		if (!gobin__symbol(gb, fuzz_names[i], &sym))
			fuzz__code(gb, &sym, runqput.vaddr);
	(void)gobin__offsets(gb, &off);
	s = symbolizer__new(gb);
	if (s) {
		for (i = 0; i < n && i < 16; i++) {
			fuzz__symbolize(s, syms[i].vaddr);
			fuzz__symbolize(s, syms[i].vaddr + syms[i].size / 2);
		}
		/* Enough distinct addresses to grow the lookup cache. */
		for (i = 0; n && i < 160; i++)
			fuzz__symbolize(s, syms[0].vaddr + i);
		/* Now over the line tables' image, which the symbolizer built. */
		(void)gobin__offsets(gb, &off);
	}
	pcln = gobin__pclntab(gb);
	if (pcln)
		fuzz__pclntab(pcln, s);
	symbolizer__free(s);
	gobin__free(gb);
cleanup:
	fuzz__check_fds();
}

#endif
