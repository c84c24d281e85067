/* Go version strings and the .go.buildinfo blob, on hand-built buffers:
 * both layouts, and the truncated or hostile variants a fuzzer would find. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "goversion.h"

#define MAGIC "\xff Go buildinf:"

static void parse_good(void **state)
{
	static const struct {
		const char *in;
		int major, minor, patch;
	} good[] = {
	    {"go1.19.8", 1, 19, 8},
	    {"go1.21rc2", 1, 21, 0},
	    {"go1.21beta1", 1, 21, 0},
	    {"go1.26.0 X:greenteagc", 1, 26, 0},
	    {"devel go1.27-abcdef Tue Jan 6 10:00:00 2026 +0000", 1, 27, 0},
	    {"go1.22.1-bigcorp", 1, 22, 1},
	    {"go1.20.5+boring", 1, 20, 5},
	    {"go1", 1, 0, 0},
	    {"go1.17", 1, 17, 0},
	};
	struct goversion v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(goversion__parse(good[i].in, &v), 0);
		assert_int_equal(v.major, good[i].major);
		assert_int_equal(v.minor, good[i].minor);
		assert_int_equal(v.patch, good[i].patch);
	}
}

static void parse_bad(void **state)
{
	static const char *const bad[] = {
	    "",		"go",	      "go1.",	    "1.19.8",	   "gox.19",	   "go1.19.",
	    "go1.19x",	"go1.19.8\n", "go1.99999",  "devel +abc",  " go1.19",	   "go1..2",
	    "go1.21rc", "go-1.19",    "GO1.19",	    "devel",	   "go1.19.8.1",   "go.19",
	    "go1.-1",	"go1.19.-1",  "go1.19beta", "go999999999", "devel  go1.2",
	};
	struct goversion v = {7, 7, 7};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(goversion__parse(bad[i], &v), -EINVAL);
		/* A failed parse leaves out untouched. */
		assert_int_equal(v.major, 7);
	}
	assert_int_equal(goversion__parse(NULL, &v), -EINVAL);
}

static void compare(void **state)
{
	struct goversion v;

	(void)state;
	assert_int_equal(goversion__parse("go1.21.13", &v), 0);
	assert_int_equal(goversion__cmp(&v, 1, 21), 0);
	assert_true(goversion__cmp(&v, 1, 22) < 0);
	assert_true(goversion__cmp(&v, 1, 20) > 0);
	assert_true(goversion__cmp(&v, 1, 3) > 0); /* numeric, not lexical */
	assert_true(goversion__cmp(&v, 2, 0) < 0);
	assert_true(goversion__cmp(&v, 0, 99) > 0);
}

/* Builds an inline (Go 1.18+) blob at buf + at: header, then
 * uvarint(len(vers)) vers uvarint(len(mod)) mod. Returns the end. */
static size_t inline_blob(uint8_t *buf, size_t at, const char *vers, const char *mod)
{
	size_t p = at, n;

	memcpy(buf + p, MAGIC, 14);
	buf[p + 14] = 8;
	buf[p + 15] = 2;
	memset(buf + p + 16, 0, 16);
	p += 32;
	n = strlen(vers);
	buf[p++] = (uint8_t)n; /* every test string is < 128 bytes */
	memcpy(buf + p, vers, n);
	p += n;
	n = strlen(mod);
	buf[p++] = (uint8_t)n;
	memcpy(buf + p, mod, n);
	return p + n;
}

static void inline_form(void **state)
{
	uint8_t buf[256];
	char out[64];
	size_t end;

	(void)state;
	end = inline_blob(buf, 0, "go1.19.8", "path\tgotiny\n");
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "go1.19.8");

	/* Not at the start: found at the next 16-byte boundary. */
	memset(buf, 0xaa, sizeof(buf));
	end = inline_blob(buf, 48, "go1.26.10 X:nodwarf5", "");
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "go1.26.10 X:nodwarf5");

	/* A magic off the 16-byte grid is not a header. */
	memset(buf, 0, sizeof(buf));
	end = inline_blob(buf, 8, "go1.19.8", "");
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, sizeof(out)), -EINVAL);

	/* The string may end exactly at the end of the buffer. */
	end = inline_blob(buf, 0, "go1.22.0", "");
	assert_int_equal(buildinfo__version(buf, 32 + 1 + 8, NULL, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "go1.22.0");
}

static void inline_rejects(void **state)
{
	uint8_t buf[256];
	char out[64];
	size_t end, len;

	(void)state;
	end = inline_blob(buf, 0, "go1.19.8", "");
	/* Every truncation that cuts the header or the version. */
	for (len = 0; len < 32 + 1 + 8; len++)
		assert_int_equal(buildinfo__version(buf, len, NULL, NULL, out, sizeof(out)),
				 -EINVAL);
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, sizeof(out)), 0);

	/* Empty version. */
	inline_blob(buf, 0, "", "");
	assert_int_equal(buildinfo__version(buf, 40, NULL, NULL, out, sizeof(out)), -EINVAL);

	/* A length larger than the buffer. */
	end = inline_blob(buf, 0, "go1.19.8", "");
	buf[32] = 0x7f;
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, sizeof(out)), -EINVAL);

	/* A uvarint that never ends, and one that overflows 64 bits. */
	memset(buf + 32, 0xff, 40);
	assert_int_equal(buildinfo__version(buf, 72, NULL, NULL, out, sizeof(out)), -EINVAL);
	memset(buf + 32, 0xff, 9);
	buf[41] = 0x02;
	assert_int_equal(buildinfo__version(buf, 72, NULL, NULL, out, sizeof(out)), -EINVAL);
	/* The 10-byte maximum, as a length far past the buffer. */
	buf[41] = 0x01;
	assert_int_equal(buildinfo__version(buf, 72, NULL, NULL, out, sizeof(out)), -EINVAL);

	/* A NUL inside the version would cut the C string. */
	end = inline_blob(buf, 0, "go1.19.8", "");
	buf[36] = '\0';
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, sizeof(out)), -EINVAL);

	/* No magic at all, a damaged magic. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(buildinfo__version(buf, sizeof(buf), NULL, NULL, out, sizeof(out)),
			 -EINVAL);
	end = inline_blob(buf, 0, "go1.19.8", "");
	buf[3] = 'g';
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, sizeof(out)), -EINVAL);

	/* Bad arguments. */
	assert_int_equal(buildinfo__version(NULL, 10, NULL, NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, 0), -EINVAL);
}

static void inline_nospace(void **state)
{
	uint8_t buf[128];
	char out[16];
	size_t end;

	(void)state;
	end = inline_blob(buf, 0, "go1.19.8", "");
	/* 8 characters need 9 bytes. */
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, 8), -ENOSPC);
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, 1), -ENOSPC);
	assert_int_equal(buildinfo__version(buf, end, NULL, NULL, out, 9), 0);
	assert_string_equal(out, "go1.19.8");
}

/* A fake address space for the pointer form: regions of bytes at vaddrs. */
struct region {
	uint64_t vaddr;
	const uint8_t *bytes;
	size_t len;
};

struct fake_mem {
	struct region r[3];
	int nreads;
	int fail; /* returned by read when nonzero */
};

static int fake_read(void *ctx, uint64_t vaddr, void *dst, size_t size)
{
	struct fake_mem *m = ctx;

	m->nreads++;
	if (m->fail)
		return m->fail;
	for (int i = 0; i < 3; i++) {
		const struct region *r = &m->r[i];

		if (r->bytes && vaddr >= r->vaddr && vaddr - r->vaddr <= r->len &&
		    size <= r->len - (vaddr - r->vaddr)) {
			memcpy(dst, r->bytes + (vaddr - r->vaddr), size);
			return 0;
		}
	}
	return -ENOENT;
}

static void put(uint8_t *p, uint64_t v, int size, int big_endian)
{
	for (int i = 0; i < size; i++) {
		int shift = 8 * (big_endian ? size - 1 - i : i);

		p[i] = (uint8_t)(v >> shift);
	}
}

/* Header with versPtr = strhdr_addr; string header {data_addr, n}. */
static void pointer_blob(uint8_t hdr[32], uint8_t strhdr[16], int psize, int be,
			 uint64_t strhdr_addr, uint64_t data_addr, uint64_t n)
{
	memset(hdr, 0, 32);
	memcpy(hdr, MAGIC, 14);
	hdr[14] = (uint8_t)psize;
	hdr[15] = (uint8_t)(be ? 1 : 0);
	put(hdr + 16, strhdr_addr, psize, be);
	put(hdr + 16 + psize, 0x12345678, psize, be); /* modPtr, never read */
	put(strhdr, data_addr, psize, be);
	put(strhdr + psize, n, psize, be);
}

static void pointer_form(void **state)
{
	static const char vers[] = "go1.17.13";
	uint8_t hdr[32], strhdr[16];
	struct fake_mem m = {0};
	char out[64];

	(void)state;
	/* 64-bit little endian, as Go 1.17 on amd64 writes it. */
	pointer_blob(hdr, strhdr, 8, 0, 0x5a0000, 0x4c1000, strlen(vers));
	m.r[0] = (struct region){0x5a0000, strhdr, 16};
	m.r[1] = (struct region){0x4c1000, (const uint8_t *)vers, strlen(vers)};
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), 0);
	assert_string_equal(out, "go1.17.13");
	assert_int_equal(m.nreads, 2);

	/* 32-bit big endian. */
	pointer_blob(hdr, strhdr, 4, 1, 0x10000, 0x20000, strlen(vers));
	m.r[0] = (struct region){0x10000, strhdr, 8};
	m.r[1] = (struct region){0x20000, (const uint8_t *)vers, strlen(vers)};
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), 0);
	assert_string_equal(out, "go1.17.13");

	/* The pointer form needs the whole 32-byte header too. */
	assert_int_equal(buildinfo__version(hdr, 31, fake_read, &m, out, sizeof(out)), -EINVAL);
}

static void pointer_rejects(void **state)
{
	static const char vers[] = "go1.16.15";
	uint8_t hdr[32], strhdr[16];
	struct fake_mem m = {0};
	char out[64];

	(void)state;
	pointer_blob(hdr, strhdr, 8, 0, 0x1000, 0x2000, strlen(vers));
	m.r[0] = (struct region){0x1000, strhdr, 16};
	m.r[1] = (struct region){0x2000, (const uint8_t *)vers, strlen(vers)};

	/* No callback to follow the pointers with. */
	assert_int_equal(buildinfo__version(hdr, 32, NULL, NULL, out, sizeof(out)), -EINVAL);

	/* The callback's error comes back as is. */
	m.fail = -EIO;
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), -EIO);
	m.fail = 0;

	/* Pointers to nowhere. */
	pointer_blob(hdr, strhdr, 8, 0, 0x9000, 0x2000, strlen(vers));
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), -ENOENT);
	pointer_blob(hdr, strhdr, 8, 0, 0x1000, 0x9000, strlen(vers));
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), -ENOENT);

	/* Pointer sizes other than 4 and 8. */
	for (int ps = 0; ps < 256; ps++) {
		if (ps == 4 || ps == 8)
			continue;
		pointer_blob(hdr, strhdr, 8, 0, 0x1000, 0x2000, strlen(vers));
		hdr[14] = (uint8_t)ps;
		assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)),
				 -EINVAL);
	}

	/* Empty, absurd and NUL-carrying lengths. */
	pointer_blob(hdr, strhdr, 8, 0, 0x1000, 0x2000, 0);
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), -EINVAL);
	pointer_blob(hdr, strhdr, 8, 0, 0x1000, 0x2000, UINT64_MAX);
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), -EINVAL);
	pointer_blob(hdr, strhdr, 8, 0, 0x1000, 0x2000, sizeof(vers)); /* includes the NUL */
	m.r[1].len = sizeof(vers);
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, sizeof(out)), -EINVAL);

	/* Too small an out buffer, found before the bytes are read. */
	pointer_blob(hdr, strhdr, 8, 0, 0x1000, 0x2000, strlen(vers));
	m.nreads = 0;
	assert_int_equal(buildinfo__version(hdr, 32, fake_read, &m, out, strlen(vers)), -ENOSPC);
	assert_int_equal(m.nreads, 1);
}

/* Random bytes, with and without a valid magic planted, must never crash
 * or report success with garbage. Run under ASan this is a cheap fuzzer. */
static void garbage(void **state)
{
	uint8_t buf[512];
	char out[32];
	struct fake_mem m = {0};
	unsigned seed = 12345;

	(void)state;
	m.fail = -ENOENT;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof(buf));
		int err;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (iter & 1)
			memcpy(buf + 16 * (size_t)(rand_r(&seed) % 4), MAGIC, 14);
		err = buildinfo__version(buf, len, fake_read, &m, out, sizeof(out));
		if (!err) {
			assert_true(strlen(out) > 0);
			assert_true(strlen(out) < sizeof(out));
		} else {
			assert_true(err == -EINVAL || err == -ENOSPC || err == -ENOENT);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_good),     cmocka_unit_test(parse_bad),
	    cmocka_unit_test(compare),	      cmocka_unit_test(inline_form),
	    cmocka_unit_test(inline_rejects), cmocka_unit_test(inline_nospace),
	    cmocka_unit_test(pointer_form),   cmocka_unit_test(pointer_rejects),
	    cmocka_unit_test(garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
