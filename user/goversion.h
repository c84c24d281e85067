/* Go version strings as the linker writes them, and the .go.buildinfo
 * layouts they are stored in. */
#ifndef LINGER_GOVERSION_H
#define LINGER_GOVERSION_H

#include <stddef.h>
#include <stdint.h>

struct goversion {
	int major; /* 1 */
	int minor; /* 19 */
	int patch; /* 8; 0 for "go1.21rc2" or a devel build */
};

/* Parses "go1.19.8", "go1.21rc2", "go1.26.0 X:greenteagc", "devel go1.27-abc"
 * and the like. Returns 0 or -EINVAL. */
int goversion__parse(const char *s, struct goversion *out);
/* <0, 0, >0 as a is older, equal, newer than major.minor. */
int goversion__cmp(const struct goversion *a, int major, int minor);

/* Reads size bytes at a virtual address of the binary; 0 or -errno. */
typedef int (*buildinfo_read_fn)(void *ctx, uint64_t vaddr, void *dst, size_t size);

/* Extracts the Go version from the contents of .go.buildinfo.
 *
 * Layout: 14 bytes "\xff Go buildinf:", 1 byte pointer size, 1 byte flags
 * (bit 0: big endian, bit 1: strings inline). Inline (Go 1.18+): at offset
 * 32, a uvarint length and the version bytes. Pointer form (before 1.18):
 * at offset 16, a pointer to a Go string header {data pointer, length},
 * both read through read() since they live in other sections.
 * The header is looked for at each 16-byte aligned offset of sec: it is at
 * 0 in .go.buildinfo, and near the start of the data segment when a binary
 * has no such section.
 * Writes a NUL-terminated string into out. Returns 0, -EINVAL for bad
 * contents, -ENOSPC when out is too small, or read()'s error. */
int buildinfo__version(const uint8_t *sec, size_t len, buildinfo_read_fn read, void *ctx, char *out,
		       size_t outlen);

#endif
