/* Recordings of the probes' event stream: every ring-buffer record as
 * linger received it, for replaying through the real ingest code offline
 * (the ingest benchmark, tests/bench/ingest.c).
 *
 * File layout: the 8 bytes "lingrec1", then per record a little-endian
 * u32 length followed by that many bytes of the record (struct lc_event_*
 * of bpf/lifecycle.h, unaligned). */
#ifndef LINGER_RECORD_H
#define LINGER_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RECORD_MAX_LEN 256 /* longer records are refused: none is near it */

struct recorder;

/* Creates (truncates) path and writes the header. NULL with errno set. */
struct recorder *recorder__open(const char *path);
/* Appends one record; buffered, no syscall per record. 0 or -errno
 * (-EINVAL for len 0 or over RECORD_MAX_LEN). */
int recorder__write(struct recorder *r, const void *rec, size_t len);
/* Flushes and closes. 0 or -errno (a write error seen at any point).
 * Safe on NULL. */
int recorder__close(struct recorder *r);

/* One record of a recording held in memory. */
struct record_ref {
	const uint8_t *data;
	uint32_t len;
};

/* Splits a whole recording (buf, len) into records: *out gets a malloc'd
 * array of *n references into buf, which must outlive it. 0, -EINVAL
 * for a missing header or a truncated or oversized record, -ENOMEM. */
int record__parse(const uint8_t *buf, size_t len, struct record_ref **out, size_t *n);

#endif
