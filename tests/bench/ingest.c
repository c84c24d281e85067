/* Ingest throughput for scripts/bench.sh: replays a recording of a real
 * event stream (linger --record) through the real ingest code
 * (gtable__ingest, as the session's record handler calls it) on one core,
 * and prints records per second.
 *
 * The recording is replayed pass after pass until SECONDS have passed;
 * each pass shifts every goid by the number of goids the recording spans,
 * so that every pass is new goroutines, as a long run would be, not spawns
 * of goroutines already tracked.
 *
 * Usage: bench_ingest RECORDING [SECONDS]  (default 2)
 * Prints: records <n> seconds <s> records_per_s <r> live <goroutines> */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gtable.h"
#include "lifecycle.h"
#include "record.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = NULL;
	int err = 0;

	if (!f)
		return -errno;
	b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);
		uint8_t *m;

		n += got;
		if (n < cap)
			break;
		m = realloc(b, cap * 2);
		if (!m) {
			free(b);
			b = NULL;
			break;
		}
		b = m;
		cap *= 2;
	}
	if (!b)
		err = -ENOMEM;
	else if (ferror(f))
		err = -EIO;
	fclose(f);
	if (err) {
		free(b);
		return err;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* The goid of a record, which every type carries right after its header
 * (bpf/lifecycle.h): the field each pass shifts. */
#define GOID_OFF sizeof(struct lc_event_header)

static void shift_goids(uint8_t *copy, const struct record_ref *recs, size_t n, uint64_t delta)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *r = copy + (recs[i].data - recs[0].data);
		uint64_t goid;

		if (recs[i].len < GOID_OFF + 8)
			continue;
		memcpy(&goid, r + GOID_OFF, 8);
		goid += delta;
		memcpy(r + GOID_OFF, &goid, 8);
	}
}

int main(int argc, char **argv)
{
	struct gtable_limits lim = {.max_goroutines = 4u << 20, .max_sites = 65536};
	double seconds = 2, spent = 0;
	struct record_ref *recs = NULL;
	uint64_t done = 0, max_goid = 0;
	struct gtable_stats st;
	struct gtable *gt = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, n = 0;
	cpu_set_t one;
	int err, status = 2;

	if (argc < 2 || argc > 3 || (argc == 3 && (seconds = atof(argv[2])) <= 0)) {
		fprintf(stderr, "usage: bench_ingest RECORDING [SECONDS]\n");
		return 2;
	}
	err = read_file(argv[1], &buf, &len);
	if (!err)
		err = record__parse(buf, len, &recs, &n);
	if (err || !n) {
		fprintf(stderr, "bench_ingest: %s: %s\n", argv[1],
			err ? strerror(-err) : "no records");
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t goid;

		if (recs[i].len < GOID_OFF + 8)
			continue;
		memcpy(&goid, recs[i].data + GOID_OFF, 8);
		if (goid > max_goid)
			max_goid = goid;
	}
	/* One core: the session's drain runs on one thread. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	gt = gtable__new(&lim);
	if (!gt) {
		fprintf(stderr, "bench_ingest: out of memory\n");
		goto cleanup;
	}
	while (spent < seconds) {
		const uint8_t *base = recs[0].data;
		double t0 = now_s();

		for (size_t i = 0; i < n; i++)
			gtable__ingest(gt, base + (recs[i].data - recs[0].data), recs[i].len);
		spent += now_s() - t0;
		done += n;
		/* Outside the timing: the next pass is new goroutines. */
		shift_goids((uint8_t *)recs[0].data, recs, n, max_goid);
	}
	gtable__stats(gt, &st);
	printf("records %llu seconds %.3f records_per_s %.0f live %llu malformed %llu\n",
	       (unsigned long long)done, spent, (double)done / spent, (unsigned long long)st.live,
	       (unsigned long long)st.malformed);
	status = 0;
cleanup:
	gtable__free(gt);
	free(recs);
	free(buf);
	return status;
}
