/* Fuzzes the goroutine table: gtable__ingest decodes ring-buffer records
 * that the BPF side wrote from the target's memory (so their fields are
 * the target's to choose), gtable__seed takes goroutines read from the
 * target at attach, gtable__report turns the table into verdicts.
 *
 * Input: a header, then operations until the input ends.
 *   header: 2 bytes limits (max goroutines 1-64, or 4096 when the high bit
 *           is set; max sites 1-16, or 256 when the high bit is set, so
 *           that both tables grow), 7 bytes detector options, each mapped
 *           into the range the command line accepts.
 *   op 0x00-0x7f: a raw record of op bytes, passed as is.
 *   op 0x80-0x9f: a report, 2 bytes of time since the last record (ms);
 *                 the probe answers from the next input byte each call.
 *   op 0xa0-0xaf: a seed: goid, g_addr, gopc, startpc (8 bytes each),
 *                 since (2 bytes, ms), wait reason, parked.
 *   op 0xb0-0xbf: many records at once, to fill the tables: count (1 byte,
 *                 times 4), first goid (2 bytes, times 256), sites (1 byte:
 *                 goroutine i goes to stack id i % (sites + 1)); spawns for
 *                 ops 0xb0-0xb7, parks for 0xb8-0xbb, exits for 0xbc-0xbf.
 *   op 0xc0-0xff: a well-formed record, built here so that the fuzzer
 *                 spends its time on the table rather than on the decoder:
 *                 kind (op % 3: spawn, park, exit), goid (1 byte), time
 *                 step (1 byte, 10 us units), then for a spawn the stack id
 *                 (1 byte, signed: negative keys the site by gopc) and the
 *                 gopc (1 byte), for a park the wait reason (1 byte).
 * After every report the numbers must agree: the sites' live counts add up
 * to the header's, suspects never exceed live, sites never exceed the
 * limit. */
#include "fuzz.h"

#include "gtable.h"
#include "lifecycle.h"

#include <errno.h>
#include <stdlib.h>

#define TGID 4242
#define MS   1000000ULL

static int probe(void *ctx, uint64_t goid, uint64_t g_addr, struct gtable_gstate *out)
{
	struct fuzz_in *in = ctx;
	uint8_t b = (uint8_t)fuzz__take(in, 1);

	(void)goid;
	(void)g_addr;
	switch (b % 5) {
	case 0:
		return 0;
	case 1:
		out->wait_reason = b;
		out->stack_bytes = (uint64_t)b << 10;
		return 1;
	case 2:
		return -ESRCH;
	case 3:
		return -EFAULT;
	default:
		return -EIO;
	}
}

static void check_report(const struct gtable *t, const struct report *r, uint32_t max_sites)
{
	struct gtable_stats st;
	uint64_t live = 0;
	size_t i;

	gtable__stats(t, &st);
	if (r->nsites > max_sites || r->hdr.live != st.live)
		abort();
	for (i = 0; i < r->nsites; i++) {
		if (r->sites[i].suspects > r->sites[i].live)
			abort();
		live += r->sites[i].live;
	}
	if (live != r->hdr.live)
		abort();
}

static void op_report(struct gtable *t, const struct detector_opts *o, uint64_t *now,
		      struct fuzz_in *in, uint32_t max_sites)
{
	struct report r;

	memset(&r, 0, sizeof(r));
	*now += fuzz__take(in, 2) * MS;
	if (gtable__report(t, o, *now, probe, in, &r))
		return;
	check_report(t, &r, max_sites);
	report__free(&r);
}

static void op_seed(struct gtable *t, uint64_t now, struct fuzz_in *in)
{
	struct gtable_seed sd;

	memset(&sd, 0, sizeof(sd));
	sd.goid = fuzz__take(in, 8);
	sd.g_addr = fuzz__take(in, 8);
	sd.gopc = fuzz__take(in, 8);
	sd.startpc = fuzz__take(in, 8);
	sd.since_ns = now - fuzz__take(in, 2) * MS;
	sd.wait_reason = (uint32_t)fuzz__take(in, 1);
	sd.parked = fuzz__take(in, 1) & 1;
	(void)gtable__seed(t, &sd);
}

static void op_bulk(struct gtable *t, uint8_t op, uint64_t *now, struct fuzz_in *in)
{
	uint64_t n = fuzz__take(in, 1) * 4, base = fuzz__take(in, 2) * 256 + 1, i;
	uint32_t sites = (uint32_t)fuzz__take(in, 1) + 1;
	union {
		struct lc_event_spawn spawn;
		struct lc_event_park park;
		struct lc_event_exit exit;
	} e;

	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		*now += 1000;
		e.spawn.hdr.tgid = TGID;
		e.spawn.hdr.ts_ns = *now;
		e.spawn.goid = base + i;
		if (op < 0xb8) {
			e.spawn.hdr.type = LC_EVENT_SPAWN;
			e.spawn.g_addr = 0xc000000000ULL + (base + i) * 0x1000;
			e.spawn.stack_id = (int32_t)(i % sites);
			e.spawn.gopc = 0x401000 + i % sites;
			(void)gtable__ingest(t, &e, sizeof(e.spawn));
		} else if (op < 0xbc) {
			e.park.hdr.type = LC_EVENT_PARK;
			e.park.wait_reason = 7;
			(void)gtable__ingest(t, &e, sizeof(e.park));
		} else {
			e.exit.hdr.type = LC_EVENT_EXIT;
			(void)gtable__ingest(t, &e, sizeof(e.exit));
		}
	}
}

static void op_record(struct gtable *t, uint8_t op, uint64_t *now, struct fuzz_in *in)
{
	union {
		struct lc_event_spawn spawn;
		struct lc_event_park park;
		struct lc_event_exit exit;
	} e;
	uint64_t goid = fuzz__take(in, 1);
	size_t len;

	memset(&e, 0, sizeof(e));
	*now += fuzz__take(in, 1) * 10000;
	e.spawn.hdr.tgid = TGID;
	e.spawn.hdr.ts_ns = *now;
	switch (op % 3) {
	case 0:
		e.spawn.hdr.type = LC_EVENT_SPAWN;
		e.spawn.goid = goid;
		e.spawn.g_addr = 0xc000000000ULL + goid * 0x1000;
		e.spawn.stack_id = (int8_t)fuzz__take(in, 1);
		e.spawn.gopc = 0x401000 + fuzz__take(in, 1);
		e.spawn.startpc = 0x402000;
		len = sizeof(e.spawn);
		break;
	case 1:
		e.park.hdr.type = LC_EVENT_PARK;
		e.park.goid = goid;
		e.park.g_addr = 0xc000000000ULL + goid * 0x1000;
		e.park.wait_reason = (uint32_t)fuzz__take(in, 1);
		len = sizeof(e.park);
		break;
	default:
		e.exit.hdr.type = LC_EVENT_EXIT;
		e.exit.goid = goid;
		len = sizeof(e.exit);
		break;
	}
	(void)gtable__ingest(t, &e, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct gtable_limits lim;
	struct detector_opts o;
	struct report r;
	struct gtable *t;
	uint64_t now = 1000 * MS;
	uint8_t b;

	b = (uint8_t)fuzz__take(&in, 1);
	lim.max_goroutines = b & 0x80 ? 4096 : 1 + b % 64;
	b = (uint8_t)fuzz__take(&in, 1);
	lim.max_sites = b & 0x80 ? 256 : 1 + b % 16;
	detector_opts__defaults(&o);
	o.k = 0.5 + (double)fuzz__take(&in, 1) / 2.0;
	o.min_samples = 2 + (uint32_t)fuzz__take(&in, 1) % 8;
	o.sigma_floor_ns = 1 + fuzz__take(&in, 1) * 100000;
	o.min_suspect_ratio = (double)fuzz__take(&in, 1) / 255.0;
	o.debounce = 1 + (uint32_t)fuzz__take(&in, 1) % 4;
	o.growth_window = 2 + (uint32_t)fuzz__take(&in, 1) % (DETECTOR_MAX_WINDOW - 2);
	o.min_growth = 1 + (uint32_t)fuzz__take(&in, 1) % 8;
	t = gtable__new(&lim);
	if (!t)
		return 0;
	while (in.left) {
		uint8_t op = (uint8_t)fuzz__take(&in, 1);

		if (op < 0x80) {
			size_t len = op < in.left ? op : in.left;
			/* An exact-size copy: ASan then sees any read past it. */
			uint8_t *rec = malloc(len ? len : 1);

			if (!rec)
				break;
			memcpy(rec, in.p, len);
			(void)gtable__ingest(t, rec, len);
			free(rec);
			in.p += len;
			in.left -= len;
		} else if (op < 0xa0) {
			op_report(t, &o, &now, &in, lim.max_sites);
		} else if (op < 0xb0) {
			op_seed(t, now, &in);
		} else if (op < 0xc0) {
			op_bulk(t, op, &now, &in);
		} else {
			op_record(t, op, &now, &in);
		}
	}
	memset(&r, 0, sizeof(r));
	if (!gtable__report(t, &o, now + MS, NULL, NULL, &r)) {
		check_report(t, &r, lim.max_sites);
		report__free(&r);
	}
	gtable__free(t);
	return 0;
}
