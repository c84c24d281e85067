/* Fuzzes buildinfo__version over a .go.buildinfo section.
 *
 * The input is both the section and the memory its pointers point into:
 * the read callback serves address A from input offset A, so the pointer
 * form (Go 1.13-1.17) can be reached with small crafted addresses. Each
 * input is parsed twice, with a roomy output buffer and a tight one. */
#include "fuzz.h"

#include "goversion.h"

#include <errno.h>
#include <stdlib.h>

struct mem {
	const uint8_t *data;
	size_t size;
};

static int read_input(void *ctx, uint64_t vaddr, void *dst, size_t size)
{
	const struct mem *m = ctx;

	if (vaddr > m->size || size > m->size - vaddr)
		return -EFAULT;
	memcpy(dst, m->data + vaddr, size);
	return 0;
}

static void parse(const uint8_t *data, size_t size, size_t outlen)
{
	struct mem m = {data, size};
	char *out = malloc(outlen);

	if (!out)
		return;
	/* A success must leave a NUL-terminated, non-empty string in out. */
	if (!buildinfo__version(data, size, read_input, &m, out, outlen) &&
	    (!memchr(out, '\0', outlen) || !out[0]))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan then sees any read past the section. */
	uint8_t *sec = malloc(size ? size : 1);

	if (!sec)
		return 0;
	memcpy(sec, data, size);
	parse(sec, size, 256); /* gobin's buffer */
	parse(sec, size, 8);
	free(sec);
	return 0;
}
