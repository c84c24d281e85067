/* Writes and splits recordings of the event stream (record.h). */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = {'l', 'i', 'n', 'g', 'r', 'e', 'c', '1'};

struct recorder {
	FILE *f;
	int err;
};

struct recorder *recorder__open(const char *path)
{
	struct recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->f = fopen(path, "we");
	if (!r->f || fwrite(magic, sizeof(magic), 1, r->f) != 1) {
		int err = errno;

		if (r->f)
			fclose(r->f);
		free(r);
		errno = err;
		return NULL;
	}
	/* Records arrive in bursts of thousands: a large buffer keeps the
	 * writes few. */
	setvbuf(r->f, NULL, _IOFBF, 1 << 20);
	return r;
}

int recorder__write(struct recorder *r, const void *rec, size_t len)
{
	uint8_t hdr[4];

	if (!len || len > RECORD_MAX_LEN)
		return -EINVAL;
	if (r->err)
		return r->err;
	hdr[0] = (uint8_t)len;
	hdr[1] = (uint8_t)(len >> 8);
	hdr[2] = 0;
	hdr[3] = 0;
	if (fwrite(hdr, sizeof(hdr), 1, r->f) != 1 || fwrite(rec, len, 1, r->f) != 1)
		r->err = errno ? -errno : -EIO;
	return r->err;
}

int recorder__close(struct recorder *r)
{
	int err;

	if (!r)
		return 0;
	err = r->err;
	if (fclose(r->f) && !err)
		err = errno ? -errno : -EIO;
	free(r);
	return err;
}

int record__parse(const uint8_t *buf, size_t len, struct record_ref **out, size_t *n)
{
	struct record_ref *refs = NULL;
	size_t cap = 0, cnt = 0, pos = sizeof(magic);
	int err = 0;

	*out = NULL;
	*n = 0;
	if (len < sizeof(magic) || memcmp(buf, magic, sizeof(magic)))
		return -EINVAL;
	while (pos < len) {
		uint32_t rlen;

		if (len - pos < 4) {
			err = -EINVAL;
			goto cleanup;
		}
		rlen = (uint32_t)buf[pos] | (uint32_t)buf[pos + 1] << 8 |
		       (uint32_t)buf[pos + 2] << 16 | (uint32_t)buf[pos + 3] << 24;
		pos += 4;
		if (!rlen || rlen > RECORD_MAX_LEN || len - pos < rlen) {
			err = -EINVAL;
			goto cleanup;
		}
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct record_ref *m = realloc(refs, ncap * sizeof(*refs));

			if (!m) {
				err = -ENOMEM;
				goto cleanup;
			}
			refs = m;
			cap = ncap;
		}
		refs[cnt].data = buf + pos;
		refs[cnt].len = rlen;
		cnt++;
		pos += rlen;
	}
	*out = refs;
	*n = cnt;
	refs = NULL;
cleanup:
	free(refs);
	return err;
}
