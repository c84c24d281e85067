/* Fuzzes the pclntab reader (user/pclntab.h) over a .gopclntab section:
 * the header, the function table, names, pc-value tables, name lookups
 * (with the .abi0 and generic-name rules) and pc lookups, the scan that
 * finds a table in a segment, and the moduledata search.
 *
 * The input is the section, read at address 0 with runtime.text at
 * TEXT_VADDR when the header leaves it to the caller. The moduledata
 * search runs over the input too (pclntab at address 0): a fuzzer-made
 * moduledata has small addresses. Every string a lookup returns must lie
 * in the input. */
#include "fuzz.h"

#include "pclntab.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define TEXT_VADDR 0x401000ULL
/* Functions visited per table: each visit may walk pc-value tables as
 * long as the input, so a bound keeps an execution fast. */
#define FUNCS_MAX 48

static const uint8_t *buf;
static size_t buflen;

static void in_input(const char *s)
{
	if (s && ((const uint8_t *)s < buf || (const uint8_t *)s >= buf + buflen))
		abort();
	if (s)
		(void)strlen(s);
}

static void lookup(const struct pclntab *p, uint64_t pc)
{
	const char *func, *file;
	uint32_t line;

	if (pclntab__lookup(p, pc, &func, &file, &line)) {
		if (func || file || line)
			abort();
		return;
	}
	if (!func)
		abort();
	in_input(func);
	in_input(file);
}

/* Looks name up as is, with ".abi0" and with a generic argument list. */
static void by_name(const struct pclntab *p, const char *name)
{
	char alt[256];
	uint64_t entry, size;

	(void)pclntab__func_by_name(p, name, &entry, &size);
	if (strlen(name) + 6 > sizeof(alt))
		return;
	snprintf(alt, sizeof(alt), "%s.abi0", name);
	(void)pclntab__func_by_name(p, alt, &entry, &size);
	snprintf(alt, sizeof(alt), "%s[int]", name);
	(void)pclntab__func_by_name(p, alt, NULL, NULL);
}

static void walk(const struct pclntab *p)
{
	size_t n = pclntab__nfunc(p), i;

	(void)pclntab__layout(p);
	(void)pclntab__text_start(p);
	for (i = 0; i < n; i++) {
		const char *name;
		uint64_t entry, size;

		/* The first functions, then the last, where the end entry is. */
		if (i == FUNCS_MAX / 2 && n > FUNCS_MAX)
			i = n - FUNCS_MAX / 2;
		if (pclntab__func(p, i, &name, &entry, &size))
			continue;
		in_input(name);
		lookup(p, entry);
		lookup(p, entry + size / 2);
		lookup(p, entry + size);
		if (size)
			lookup(p, entry + size - 1);
		if (i < 4)
			by_name(p, name);
	}
	if (pclntab__func(p, n, NULL, NULL, NULL) != -ERANGE)
		abort();
	lookup(p, 0);
	lookup(p, UINT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pclntab_header h;
	struct pclntab *p;
	uint64_t text;
	size_t off;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	/* An exact-size copy: ASan then sees any read past the section. */
	memcpy(copy, data, size);
	buf = copy;
	buflen = size;
	if (!pclntab__header(copy, size, &h) && (h.size > size || h.nfunc == 0))
		abort();
	p = pclntab__new(copy, size, TEXT_VADDR);
	if (p) {
		walk(p);
		pclntab__free(p);
	}
	if (!pclntab__moduledata_text(copy, size, 0, copy, size, &text)) {
		p = pclntab__new(copy, size, text);
		if (p) {
			walk(p);
			pclntab__free(p);
		}
	}
	/* As if the section headers were gone: find it among other bytes. */
	if (!pclntab__find(copy, size, &off)) {
		if (off >= size)
			abort();
		p = pclntab__new(copy + off, size - off, 0);
		if (!p) /* find promises a table new accepts */
			abort();
		pclntab__free(p);
	}
	free(copy);
	return 0;
}
