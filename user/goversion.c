/* Go version strings and the .go.buildinfo blob that records them. Both
 * parsers read bytes from binaries linger did not build, so every length
 * and pointer is checked before it is used. */
#include "goversion.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Versions beyond this are garbage, and the bound keeps int arithmetic
 * far from overflow. */
#define VERSION_NUM_MAX 9999

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses a decimal number of at most VERSION_NUM_MAX at *s and advances
 * *s past it. Leading zeros are accepted ("go1.09" never occurs, but
 * rejecting it buys nothing). */
static int parse_num(const char **s, int *out)
{
	const char *p = *s;
	int v = 0;

	if (!is_digit(*p))
		return -EINVAL;
	while (is_digit(*p)) {
		v = v * 10 + (*p - '0');
		if (v > VERSION_NUM_MAX)
			return -EINVAL;
		p++;
	}
	*s = p;
	*out = v;
	return 0;
}

int goversion__parse(const char *s, struct goversion *out)
{
	static const char *const prerelease[] = {"rc", "beta"};
	struct goversion v = {0};
	const char *p = s;
	int err = -EINVAL;
	size_t i;

	if (!s || !out)
		goto cleanup;
	/* Development toolchains write "devel go1.27-abcdef Tue Jan 1 ...". */
	if (!strncmp(p, "devel ", 6))
		p += 6;
	if (strncmp(p, "go", 2))
		goto cleanup;
	p += 2;
	if (parse_num(&p, &v.major))
		goto cleanup;
	/* "go1" alone is Go 1.0. */
	if (*p == '.') {
		p++;
		if (parse_num(&p, &v.minor))
			goto cleanup;
		if (*p == '.') {
			p++;
			if (parse_num(&p, &v.patch))
				goto cleanup;
		}
		/* "go1.21rc2": a prerelease keeps the patch it has, 0 if none. */
		for (i = 0; i < sizeof(prerelease) / sizeof(prerelease[0]); i++) {
			size_t n = strlen(prerelease[i]);
			int num;

			if (strncmp(p, prerelease[i], n))
				continue;
			p += n;
			if (parse_num(&p, &num))
				goto cleanup;
			break;
		}
	}
	/* What may follow: experiments (" X:..."), a devel hash ("-abc"),
	 * or a vendor suffix ("+boring", "-bigcorp"). */
	if (*p != '\0' && *p != ' ' && *p != '-' && *p != '+')
		goto cleanup;
	*out = v;
	err = 0;
cleanup:
	return err;
}

int goversion__cmp(const struct goversion *a, int major, int minor)
{
	if (a->major != major)
		return a->major < major ? -1 : 1;
	if (a->minor != minor)
		return a->minor < minor ? -1 : 1;
	return 0;
}

/* The .go.buildinfo blob (cmd/link writes it; debug/buildinfo reads it):
 *
 *   off  size  field
 *     0    14  magic "\xff Go buildinf:"
 *    14     1  ptrSize, 4 or 8 (meaningful in the pointer form only)
 *    15     1  flags: bit 0 big endian, bit 1 strings inline
 *    16   ptr  versPtr  (pointer form)
 *  16+p   ptr  modPtr   (pointer form)
 *    32     -  inline form: uvarint len, version bytes, uvarint len, modinfo
 *
 * The header is 16-byte aligned. It starts .go.buildinfo when that section
 * exists; otherwise it sits near the start of the writable data segment, so
 * the parser looks for the magic at every aligned offset of the buffer.
 *
 * Inline form (Go 1.18+): the strings follow the 32-byte header.
 * Pointer form (Go 1.13-1.17): versPtr is the address of a Go string
 * header {data uintptr, len uintptr} (runtime.buildVersion), and the bytes
 * live in .rodata: two reads through the caller's callback. */
#define BUILDINFO_MAGIC	    "\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN 14
#define BUILDINFO_ALIGN	    16
#define BUILDINFO_HDR	    32
#define BUILDINFO_FLAG_BE   0x1
#define BUILDINFO_FLAG_INL  0x2
/* Longer than any version a toolchain writes; beyond it the pointer form
 * is reading garbage. */
#define BUILDINFO_VERSION_MAX 1024
/* A uvarint of a 64-bit value takes at most 10 bytes. */
#define UVARINT_MAX_LEN 10

/* Decodes a uvarint from buf[0..len). Returns the number of bytes used, or
 * 0 when the buffer ends first or the value overflows 64 bits. */
static size_t uvarint(const uint8_t *buf, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len && i < UVARINT_MAX_LEN; i++) {
		uint8_t b = buf[i];

		/* The tenth byte may only carry the top bit of the value. */
		if (i == UVARINT_MAX_LEN - 1 && b > 1)
			return 0;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return i + 1;
		}
	}
	return 0;
}

static uint64_t load_ptr(const uint8_t *p, size_t size, bool big_endian)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < size; i++) {
		size_t k = big_endian ? i : size - 1 - i;

		v = v << 8 | p[k];
	}
	return v;
}

/* Copies a version of n bytes into out, refusing an empty one or one with
 * a NUL inside (a C string would silently cut it). */
static int copy_version(const uint8_t *src, uint64_t n, char *out, size_t outlen)
{
	if (n == 0 || memchr(src, '\0', n))
		return -EINVAL;
	if (n >= outlen)
		return -ENOSPC;
	memcpy(out, src, n);
	out[n] = '\0';
	return 0;
}

static int version_inline(const uint8_t *hdr, size_t len, char *out, size_t outlen)
{
	uint64_t n;
	size_t used;

	used = uvarint(hdr + BUILDINFO_HDR, len - BUILDINFO_HDR, &n);
	if (!used || n > len - BUILDINFO_HDR - used)
		return -EINVAL;
	return copy_version(hdr + BUILDINFO_HDR + used, n, out, outlen);
}

static int version_pointer(const uint8_t *hdr, buildinfo_read_fn read, void *ctx, char *out,
			   size_t outlen)
{
	bool be = hdr[15] & BUILDINFO_FLAG_BE;
	size_t psize = hdr[14];
	uint8_t strhdr[16];
	uint64_t addr, data, n;
	int err;

	if ((psize != 4 && psize != 8) || !read)
		return -EINVAL;
	addr = load_ptr(hdr + 16, psize, be);
	err = read(ctx, addr, strhdr, 2 * psize);
	if (err)
		return err;
	data = load_ptr(strhdr, psize, be);
	n = load_ptr(strhdr + psize, psize, be);
	/* Checked before the read so a garbage length never reaches it. */
	if (n == 0 || n > BUILDINFO_VERSION_MAX)
		return -EINVAL;
	if (n >= outlen)
		return -ENOSPC;
	err = read(ctx, data, out, n);
	if (err)
		return err;
	if (memchr(out, '\0', n))
		return -EINVAL;
	out[n] = '\0';
	return 0;
}

int buildinfo__version(const uint8_t *sec, size_t len, buildinfo_read_fn read, void *ctx, char *out,
		       size_t outlen)
{
	size_t off;

	if (!sec || !out || outlen == 0)
		return -EINVAL;
	for (off = 0; len >= 16 && off <= len - 16; off += BUILDINFO_ALIGN) {
		const uint8_t *hdr = sec + off;

		if (memcmp(hdr, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
			continue;
		/* The fixed header is whole even in the pointer form. */
		if (len - off < BUILDINFO_HDR)
			return -EINVAL;
		if (hdr[15] & BUILDINFO_FLAG_INL)
			return version_inline(hdr, len - off, out, outlen);
		return version_pointer(hdr, read, ctx, out, outlen);
	}
	return -EINVAL;
}
