/* Program counters to function, file and line, from the binary's symbols
 * and DWARF line tables, or from its Go pclntab when a stripped binary has
 * no .symtab (function) or no DWARF (file and line). Lookups are cached: a
 * refresh symbolizes the same few sites again and again. */
#ifndef LINGER_SYMBOLIZER_H
#define LINGER_SYMBOLIZER_H

#include <stdint.h>

struct gobin;
struct symbolizer;

struct symbolized {
	const char *func; /* "main.worker"; NULL when unknown */
	const char *file; /* NULL when unknown */
	uint32_t line;	  /* 0 when unknown */
};

/* Returns a symbolizer over gb (which must outlive it), or NULL with errno. */
struct symbolizer *symbolizer__new(const struct gobin *gb);
/* Safe on NULL. */
void symbolizer__free(struct symbolizer *s);

/* Resolves a link-time address (runtime pc minus load bias). Strings are
 * owned by s and live until symbolizer__free. Returns 0, or -ENOENT when
 * no function covers vaddr (out is then zeroed). For return addresses pass
 * pc - 1 so the line is the call's. */
int symbolizer__lookup(struct symbolizer *s, uint64_t vaddr, struct symbolized *out);

#endif
