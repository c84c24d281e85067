/* The goroutine table on synthetic event streams built from the real
 * record structs: verdicts, the decoder's strictness, the probe contract
 * and the limits. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gtable.h"
#include "lifecycle.h"

#define TGID 4242
#define SEC  1000000000ULL
#define MS   1000000ULL

#define WR_CHAN_RECV 7
#define WR_SELECT    9

/* Deterministic pseudo-random numbers: xorshift64*, fixed seeds. */
static uint64_t rng_state;

static uint64_t rnd_u64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Uniform on (0, 1]. */
static double rnd(void)
{
	return ((double)(rnd_u64() >> 11) + 1.0) / 9007199254740992.0;
}

/* Log-normal lifetime: median m ns, log-sigma s (Box-Muller). */
static uint64_t lognormal(double m, double s)
{
	double z = sqrt(-2.0 * log(rnd())) * cos(2.0 * M_PI * rnd());

	return (uint64_t)(m * exp(s * z));
}

static uint64_t g_addr_of(uint64_t goid)
{
	return 0xc000000000ULL + goid * 0x1000;
}

static int put_spawn(struct gtable *t, uint64_t ts, uint64_t goid, int32_t stack_id, uint64_t gopc)
{
	struct lc_event_spawn e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = LC_EVENT_SPAWN;
	e.hdr.tgid = TGID;
	e.hdr.ts_ns = ts;
	e.goid = goid;
	e.g_addr = g_addr_of(goid);
	e.gopc = gopc;
	e.startpc = gopc + 0x100;
	e.stack_id = stack_id;
	return gtable__ingest(t, &e, sizeof(e));
}

static int put_park(struct gtable *t, uint64_t ts, uint64_t goid, uint32_t wr)
{
	struct lc_event_park e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = LC_EVENT_PARK;
	e.hdr.tgid = TGID;
	e.hdr.ts_ns = ts;
	e.goid = goid;
	e.g_addr = g_addr_of(goid);
	e.wait_reason = wr;
	return gtable__ingest(t, &e, sizeof(e));
}

static int put_exit(struct gtable *t, uint64_t ts, uint64_t goid)
{
	struct lc_event_exit e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = LC_EVENT_EXIT;
	e.hdr.tgid = TGID;
	e.hdr.ts_ns = ts;
	e.goid = goid;
	return gtable__ingest(t, &e, sizeof(e));
}

static struct gtable *table(uint32_t max_goroutines, uint32_t max_sites)
{
	struct gtable_limits lim = {.max_goroutines = max_goroutines, .max_sites = max_sites};
	struct gtable *t = gtable__new(&lim);

	assert_non_null(t);
	return t;
}

static const struct report_site *site_of(const struct report *r, uint64_t key)
{
	size_t i;

	for (i = 0; i < r->nsites; i++)
		if (r->sites[i].key == key)
			return &r->sites[i];
	return NULL;
}

static struct gtable_stats stats_of(const struct gtable *t)
{
	struct gtable_stats st;

	gtable__stats(t, &st);
	return st;
}

/* A stream of records kept sorted by time, fed up to each report. */
enum ev_kind { EV_SPAWN, EV_PARK, EV_EXIT };

struct ev {
	uint64_t ts;
	uint64_t seq; /* insertion order breaks ties: a spawn precedes its park */
	enum ev_kind kind;
	uint64_t goid;
	int32_t stack_id;
	uint32_t wr;
};

struct stream {
	struct ev *ev;
	size_t n, cap, fed;
};

static void stream__add(struct stream *s, uint64_t ts, enum ev_kind kind, uint64_t goid,
			int32_t stack_id, uint32_t wr)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
		assert_non_null(s->ev);
	}
	s->ev[s->n] = (struct ev){ts, s->n, kind, goid, stack_id, wr};
	s->n++;
}

static int ev_cmp(const void *pa, const void *pb)
{
	const struct ev *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static void stream__sort(struct stream *s)
{
	qsort(s->ev, s->n, sizeof(*s->ev), ev_cmp);
}

/* Feeds every record before until_ns. */
static void stream__feed(struct stream *s, struct gtable *t, uint64_t until_ns)
{
	for (; s->fed < s->n && s->ev[s->fed].ts < until_ns; s->fed++) {
		const struct ev *e = &s->ev[s->fed];

		switch (e->kind) {
		case EV_SPAWN:
			assert_int_equal(put_spawn(t, e->ts, e->goid, e->stack_id, 0x401000), 0);
			break;
		case EV_PARK:
			assert_int_equal(put_park(t, e->ts, e->goid, e->wr), 0);
			break;
		case EV_EXIT:
			assert_int_equal(put_exit(t, e->ts, e->goid), 0);
			break;
		}
	}
}

static void stream__free(struct stream *s)
{
	free(s->ev);
	memset(s, 0, sizeof(*s));
}

/* 100 spawns a second per site; healthy goroutines park halfway and exit
 * after a log-normal lifetime (median 10ms), 20% of the leaking site's
 * never exit and stay parked. */
static void healthy_vs_leaking(uint64_t gcs_per_refresh, int first_leak)
{
	struct detector_opts o;
	struct stream s = {0};
	struct gtable *t = table(100000, 64);
	uint64_t goid = 100, p, i, leaked = 0;
	int rep;

	detector_opts__defaults(&o);
	rng_state = 0x5eed;
	for (p = 0; p < 8; p++) {
		for (i = 0; i < 100; i++) {
			uint64_t ts = p * SEC + i * 10 * MS + 1;
			uint64_t life = lognormal(10e6, 0.5);

			/* Healthy: stack 1. */
			stream__add(&s, ts, EV_SPAWN, ++goid, 1, 0);
			stream__add(&s, ts + life / 2, EV_PARK, goid, 1, WR_SELECT);
			stream__add(&s, ts + life, EV_EXIT, goid, 1, 0);
			/* Leaking: stack 2, every fifth never exits. */
			life = lognormal(10e6, 0.5);
			stream__add(&s, ts + 5, EV_SPAWN, ++goid, 2, 0);
			stream__add(&s, ts + 5 + life / 2, EV_PARK, goid, 2, WR_CHAN_RECV);
			if (i % 5)
				stream__add(&s, ts + 5 + life, EV_EXIT, goid, 2, 0);
		}
	}
	stream__sort(&s);

	for (rep = 0; rep < 8; rep++) {
		uint64_t now = (uint64_t)(rep + 1) * SEC;
		const struct report_site *healthy, *leaking;
		struct report r = {0};

		stream__feed(&s, t, now);
		gtable__set_gc_cycles(t, (uint64_t)rep * gcs_per_refresh);
		assert_int_equal(gtable__report(t, &o, now, NULL, NULL, &r), 0);
		assert_int_equal(r.nsites, 2);
		assert_int_equal(r.hdr.gc_cycles, (uint64_t)rep * gcs_per_refresh);
		healthy = site_of(&r, 1);
		leaking = site_of(&r, 2);
		assert_non_null(healthy);
		assert_non_null(leaking);
		leaked += 20;

		assert_true(healthy->exited >= o.min_samples);
		assert_int_equal(healthy->verdict, VERDICT_OK);
		assert_true(healthy->threshold_ns > healthy->mean_ns);
		assert_true(leaking->threshold_ns > 0.0);
		/* The leaked ones, bar those younger than the threshold. */
		assert_true(leaking->live >= leaked);
		assert_true(leaking->suspects + 2 >= leaked);
		/* Plus, rarely, a goroutine in the healthy part's tail. */
		assert_true(leaking->suspects <= leaked + 2);
		assert_true(leaking->has_wait_reason);
		assert_int_equal(leaking->wait_reason, WR_CHAN_RECV);
		assert_true(leaking->sample_goid > 100);
		assert_int_equal(leaking->sample_g_addr, g_addr_of(leaking->sample_goid));
		assert_true(leaking->oldest_ns > (uint64_t)rep * SEC);
		/* Suspects settle (stay past the threshold for a whole
		 * refresh) at the second report, which starts the hold. */
		if (rep < first_leak) {
			assert_int_equal(leaking->verdict, VERDICT_OK);
			assert_false(report__has_findings(&r));
		} else {
			assert_int_equal(leaking->verdict, VERDICT_LEAK);
			assert_true(report__has_findings(&r));
			assert_ptr_equal(leaking, &r.sites[0]);
		}
		assert_int_equal(r.hdr.suspects, healthy->suspects + leaking->suspects);
		assert_int_equal(r.hdr.live, healthy->live + leaking->live);
		report__free(&r);
	}
	stream__free(&s);
	gtable__free(t);
}

/* A GC a second: the hold spans two GCs at the fourth report (the
 * candidate began at the second, at GC 1). */
static void test_healthy_vs_leaking(void **state)
{
	(void)state;
	healthy_vs_leaking(1, 3);
}

/* No GC at all (an idle heap): the hold is timed instead, gc_wait (3 s)
 * after the candidate began at 2 s. */
static void test_leak_without_gcs_is_timed(void **state)
{
	(void)state;
	healthy_vs_leaking(0, 4);
}

/* Every goroutine of a site leaks and none exit: no statistics, so the
 * site is warming until its climb spans the growth window. */
/* A healthy site with a slow 5%: 50 goroutines a second, 95% living 5 ms
 * and 5% 200 ms. The slow ones cross mean + 3 sigma at most refreshes,
 * so they are suspects then, but they exit within the refresh: they never
 * settle, and the site never becomes a leak. */
static void test_slow_tail_is_not_a_leak(void **state)
{
	struct detector_opts o;
	struct stream s = {0};
	struct gtable *t = table(100000, 64);
	uint64_t goid = 100, i, seen_suspects = 0;
	int rep;

	(void)state;
	detector_opts__defaults(&o);
	rng_state = 0xb1d;
	for (i = 0; i < 30 * 50; i++) {
		uint64_t ts = i * 20 * MS + 1;
		uint64_t life =
		    rnd() < 0.05 ? 200 * MS + rnd_u64() % (20 * MS) : 5 * MS + rnd_u64() % MS;

		stream__add(&s, ts, EV_SPAWN, ++goid, 1, 0);
		stream__add(&s, ts + 1, EV_PARK, goid, 1, WR_SELECT);
		stream__add(&s, ts + life, EV_EXIT, goid, 1, 0);
	}
	stream__sort(&s);
	for (rep = 0; rep < 30; rep++) {
		uint64_t now = (uint64_t)(rep + 1) * SEC + 150 * MS;
		const struct report_site *site;
		struct report r = {0};

		stream__feed(&s, t, now);
		assert_int_equal(gtable__report(t, &o, now, NULL, NULL, &r), 0);
		site = site_of(&r, 1);
		assert_non_null(site);
		assert_int_not_equal(site->verdict, VERDICT_LEAK);
		seen_suspects += site->suspects;
		report__free(&r);
	}
	/* The tail did cross the threshold: the test would catch a rule that
	 * counted every suspect. */
	assert_true(seen_suspects > 0);
	stream__free(&s);
	gtable__free(t);
}

/* Goroutines read from allgs at attach join the site of their go
 * statement, which the first creation stack of that statement takes over;
 * their exits give no lifetime sample, and a late spawn record for one of
 * them gives it its real spawn time. */
static void test_seeded_goroutines(void **state)
{
	struct gtable *t = table(1000, 16);
	struct gtable_seed sd = {.gopc = 0x401000,
				 .startpc = 0x401100,
				 .parked = true,
				 .wait_reason = WR_CHAN_RECV,
				 .since_ns = 1 * SEC};
	struct detector_opts o;
	const struct report_site *site;
	struct report r = {0};
	uint64_t g;

	(void)state;
	detector_opts__defaults(&o);
	for (g = 1; g <= 4; g++) {
		sd.goid = g;
		sd.g_addr = g_addr_of(g);
		assert_int_equal(gtable__seed(t, &sd), 0);
	}
	assert_int_equal(gtable__seed(t, &sd), -EEXIST);
	sd.goid = 0;
	assert_int_equal(gtable__seed(t, &sd), -EINVAL);
	/* Another go statement's seeded goroutine keeps its own site. */
	sd.goid = 9;
	sd.gopc = 0x402000;
	assert_int_equal(gtable__seed(t, &sd), 0);
	assert_int_equal(stats_of(t).seeded, 5);

	/* New goroutines of the first statement, with a creation stack. */
	for (g = 10; g < 20; g++) {
		assert_int_equal(put_spawn(t, 2 * SEC + g, g, 7, 0x401000), 0);
		assert_int_equal(put_exit(t, 2 * SEC + g + 10 * MS, g), 0);
	}
	/* A seeded one exits: no lifetime sample. */
	assert_int_equal(put_exit(t, 3 * SEC, 4), 0);
	/* A late spawn record of seeded goid 3: real spawn time, same site. */
	assert_int_equal(put_spawn(t, 2 * SEC, 3, 7, 0x401000), 0);

	assert_int_equal(gtable__report(t, &o, 4 * SEC, NULL, NULL, &r), 0);
	site = site_of(&r, 7);
	assert_non_null(site);
	assert_int_equal(site->live, 3);    /* seeded 1, 2 and the respawned 3 */
	assert_int_equal(site->exited, 10); /* seeded 4's exit is not a sample */
	assert_true(fabs(site->mean_ns - 10e6) < 1.0);
	assert_int_equal(site->oldest_ns, 3 * SEC); /* since 1 s, now 4 s */
	assert_int_equal(site->suspects, 3);	    /* parked, far past 13 ms */
	assert_int_equal(site->age_hist[report__age_bucket(3 * SEC)], 3); /* 1-10 s */
	/* The seeded site of the first statement was taken over. */
	assert_null(site_of(&r, 0x401000ULL | (1ULL << 63)));
	site = site_of(&r, 0x402000ULL | (1ULL << 63));
	assert_non_null(site);
	assert_int_equal(site->live, 1);
	assert_int_equal(site->verdict, VERDICT_WARMING);
	report__free(&r);
	gtable__free(t);
}

static void test_growing_site(void **state)
{
	struct detector_opts o;
	struct gtable *t = table(100000, 64);
	uint64_t goid = 1000;
	int rep, i;

	(void)state;
	detector_opts__defaults(&o);
	for (rep = 0; rep < 15; rep++) {
		uint64_t now = (uint64_t)(rep + 1) * SEC;
		const struct report_site *site;
		struct report r = {0};

		for (i = 0; i < 3; i++) {
			uint64_t ts = now - SEC / 2 + (uint64_t)i;

			assert_int_equal(put_spawn(t, ts, ++goid, -1, 0x4a0000), 0);
			assert_int_equal(put_park(t, ts + 1000, goid, WR_CHAN_RECV), 0);
		}
		assert_int_equal(gtable__report(t, &o, now, NULL, NULL, &r), 0);
		assert_int_equal(r.nsites, 1);
		site = &r.sites[0];
		/* No stack id: keyed by gopc with bit 63 set. */
		assert_int_equal(site->key, 0x4a0000ULL | (1ULL << 63));
		assert_int_equal(site->gopc, 0x4a0000);
		assert_int_equal(site->startpc, 0x4a0100);
		assert_int_equal(site->live, 3 * (rep + 1));
		assert_int_equal(site->exited, 0);
		assert_int_equal(site->suspects, 0);
		assert_true(site->threshold_ns == 0.0);
		assert_true(site->has_wait_reason);
		/* Growing once there are growth_min_steps steps to judge. */
		assert_int_equal(site->verdict,
				 rep < (int)o.growth_min_steps ? VERDICT_WARMING : VERDICT_GROWING);
		/* 3 a second is 180 a minute, from the second report on:
		 * the growth alarm's warning level, for the site and the
		 * whole target. */
		if (rep == 0) {
			assert_true(site->leak_per_min == 0.0);
			assert_int_equal(site->growth_alarm, GROWTH_NONE);
			assert_true(r.hdr.growth_per_s == 0.0);
		} else {
			assert_true(fabs(site->leak_per_min - 180.0) < 1e-6);
			assert_int_equal(site->growth_alarm, GROWTH_WARNING);
			assert_true(fabs(r.hdr.growth_per_s - 3.0) < 1e-9);
			assert_int_equal(r.hdr.growth_alarm, GROWTH_WARNING);
		}
		report__free(&r);
	}
	gtable__free(t);
}

/* A worker pool spawned in one burst and never exiting is not growing,
 * however long it is watched, nor is one that doubles once later. */
static void test_worker_pool(void **state)
{
	struct detector_opts o;
	struct gtable *t = table(100000, 64);
	int rep, i;

	(void)state;
	detector_opts__defaults(&o);
	for (i = 0; i < 50; i++) {
		assert_int_equal(put_spawn(t, SEC / 2 + (uint64_t)i, 10 + (uint64_t)i, 4, 0x4b0000),
				 0);
		assert_int_equal(put_park(t, SEC / 2 + 100 + (uint64_t)i, 10 + (uint64_t)i, 9), 0);
	}
	for (rep = 0; rep < 30; rep++) {
		struct report r = {0};

		if (rep == 12)
			for (i = 0; i < 50; i++)
				assert_int_equal(
				    put_spawn(t, 13 * SEC, 100 + (uint64_t)i, 4, 0x4b0000), 0);
		assert_int_equal(gtable__report(t, &o, (uint64_t)(rep + 1) * SEC, NULL, NULL, &r),
				 0);
		assert_int_equal(r.nsites, 1);
		assert_int_equal(r.sites[0].verdict, VERDICT_WARMING);
		assert_false(report__has_findings(&r));
		report__free(&r);
	}
	gtable__free(t);
}

static void test_malformed(void **state)
{
	struct gtable *t = table(1000, 16);
	struct lc_event_spawn sp;
	struct lc_event_exit ex;
	struct gtable_stats st;
	unsigned char raw[sizeof(sp) + 8];
	uint32_t bad_types[] = {0, 4, 0xffffffffu, LC_EVENT_SPAWN | 0x100};
	size_t i;

	(void)state;
	memset(&sp, 0, sizeof(sp));
	sp.hdr.type = LC_EVENT_SPAWN;
	sp.hdr.tgid = TGID;
	sp.hdr.ts_ns = 1;
	sp.goid = 5;
	sp.stack_id = 1;

	/* Zero length, NULL, shorter than a header, one byte short. */
	assert_int_equal(gtable__ingest(t, &sp, 0), -EINVAL);
	assert_int_equal(gtable__ingest(t, NULL, sizeof(sp)), -EINVAL);
	assert_int_equal(gtable__ingest(t, &sp, sizeof(sp.hdr) - 1), -EINVAL);
	assert_int_equal(gtable__ingest(t, &sp, sizeof(sp.hdr)), -EINVAL);
	assert_int_equal(gtable__ingest(t, &sp, sizeof(sp) - 1), -EINVAL);
	/* Longer than its type: another layout, not trailing junk. */
	memset(raw, 0, sizeof(raw));
	memcpy(raw, &sp, sizeof(sp));
	assert_int_equal(gtable__ingest(t, raw, sizeof(sp) + 8), -EINVAL);
	/* An exit-sized spawn. */
	assert_int_equal(gtable__ingest(t, &sp, sizeof(struct lc_event_exit)), -EINVAL);
	/* Unknown types, at every valid length. */
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		struct lc_event_spawn b = sp;

		b.hdr.type = bad_types[i];
		assert_int_equal(gtable__ingest(t, &b, sizeof(b)), -EINVAL);
		assert_int_equal(gtable__ingest(t, &b, sizeof(struct lc_event_park)), -EINVAL);
		assert_int_equal(gtable__ingest(t, &b, sizeof(struct lc_event_exit)), -EINVAL);
	}
	/* goid 0 is g0's, never spawned. */
	sp.goid = 0;
	assert_int_equal(gtable__ingest(t, &sp, sizeof(sp)), -EINVAL);
	sp.goid = 5;

	st = stats_of(t);
	assert_int_equal(st.malformed, 7 + 3 * 4 + 1);
	assert_int_equal(st.records, st.malformed);
	assert_int_equal(st.spawns, 0);
	assert_int_equal(st.live, 0);

	/* Now a good one, unaligned. */
	memcpy(raw + 1, &sp, sizeof(sp));
	assert_int_equal(gtable__ingest(t, raw + 1, sizeof(sp)), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 1);
	/* Another target's record in this target's table is inconsistent. */
	memset(&ex, 0, sizeof(ex));
	ex.hdr.type = LC_EVENT_EXIT;
	ex.hdr.tgid = TGID + 1;
	ex.goid = 5;
	assert_int_equal(gtable__ingest(t, &ex, sizeof(ex)), -EINVAL);
	st = stats_of(t);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.exits, 0);
	ex.hdr.tgid = TGID;
	assert_int_equal(gtable__ingest(t, &ex, sizeof(ex)), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.exits, 1);
	gtable__free(t);
}

/* Random bytes at random lengths, and valid headers over random bodies:
 * nothing crashes and the counters add up. */
static void test_fuzz_smoke(void **state)
{
	struct detector_opts o;
	struct gtable *t = table(512, 8);
	uint64_t accepted = 0, rejected = 0;
	unsigned char b[64];
	struct gtable_stats st;
	struct report r = {0};
	int i, err;
	size_t j, len;

	(void)state;
	detector_opts__defaults(&o);
	rng_state = 99;
	for (i = 0; i < 200000; i++) {
		for (j = 0; j < sizeof(b); j++)
			b[j] = (unsigned char)rnd_u64();
		len = rnd_u64() % (sizeof(b) + 1);
		if (i & 1) {
			struct lc_event_header h = {.type = 1 + rnd_u64() % 3, .tgid = TGID};

			memcpy(b, &h, sizeof(h));
			/* Few goids, few sites: collisions, exits and parks hit. */
			b[16] &= 0x3f;
			memset(b + 17, 0, 7);
			/* stack_id, at offset 56 of a spawn. */
			b[56] &= 0x0f;
			memset(b + 57, 0, 3);
			len = h.type == 1   ? sizeof(struct lc_event_spawn)
			      : h.type == 2 ? sizeof(struct lc_event_park)
					    : sizeof(struct lc_event_exit);
		}
		err = gtable__ingest(t, b, len);
		assert_true(err == 0 || err == -EINVAL);
		if (err)
			rejected++;
		else
			accepted++;
		if (i % 10000 == 0) {
			assert_int_equal(gtable__report(t, &o, (uint64_t)i * MS, NULL, NULL, &r),
					 0);
			report__free(&r);
		}
	}
	st = stats_of(t);
	assert_int_equal(st.records, accepted + rejected);
	assert_int_equal(st.malformed, rejected);
	assert_int_equal(st.spawns + st.parks + st.exits, accepted);
	assert_true(st.live <= 512);
	gtable__free(t);
}

static void test_duplicate_and_unknown(void **state)
{
	struct detector_opts o;
	struct gtable *t = table(1000, 16);
	struct gtable_stats st;
	struct report r = {0};

	(void)state;
	detector_opts__defaults(&o);
	assert_int_equal(put_spawn(t, 10, 5, 1, 0x401000), 0);
	/* The same goid again, even claiming another site: ignored. */
	assert_int_equal(put_spawn(t, 20, 5, 2, 0x402000), 0);
	assert_int_equal(put_exit(t, 30, 99), 0);
	assert_int_equal(put_park(t, 30, 98, WR_CHAN_RECV), 0);
	st = stats_of(t);
	assert_int_equal(st.records, 4);
	assert_int_equal(st.spawns, 2);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.unknown, 2);
	assert_int_equal(st.malformed, 0);

	assert_int_equal(gtable__report(t, &o, 100, NULL, NULL, &r), 0);
	assert_int_equal(r.nsites, 1);
	assert_int_equal(r.sites[0].key, 1);
	assert_int_equal(r.sites[0].live, 1);
	/* The first spawn's time stands. */
	assert_int_equal(r.sites[0].oldest_ns, 90);
	assert_false(r.sites[0].has_wait_reason);
	assert_int_equal(r.sites[0].sample_goid, 0);
	report__free(&r);

	/* The exit's lifetime is from the first spawn. */
	assert_int_equal(put_exit(t, 1010, 5), 0);
	assert_int_equal(put_exit(t, 1020, 5), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.unknown, 3);
	assert_int_equal(gtable__report(t, &o, 2000, NULL, NULL, &r), 0);
	assert_int_equal(r.nsites, 1);
	assert_int_equal(r.sites[0].live, 0);
	assert_int_equal(r.sites[0].exited, 1);
	assert_true(r.sites[0].mean_ns == 1000.0);
	assert_int_equal(r.sites[0].oldest_ns, 0);
	report__free(&r);
	gtable__free(t);
}

/* A probe that counts its calls and answers from a table. */
struct probe_ctx {
	int calls;
	uint64_t goids[64];
	int answer;	     /* for every goroutine not listed below */
	uint64_t gone_below; /* goids under this answer -ESRCH */
	uint32_t wr;
};

/* Every parked goroutine holds a stack of this size. */
#define STACK_BYTES 8192

static int probe(void *vctx, uint64_t goid, uint64_t g_addr, struct gtable_gstate *out)
{
	struct probe_ctx *c = vctx;

	assert_int_equal(g_addr, g_addr_of(goid));
	if (c->calls < 64)
		c->goids[c->calls] = goid;
	c->calls++;
	if (goid < c->gone_below)
		return -ESRCH;
	if (c->answer == 1) {
		out->wait_reason = c->wr;
		out->stack_bytes = STACK_BYTES;
	}
	return c->answer;
}

/* Site 10: ten exits of exactly 10ms (threshold 13ms), then 5 goroutines
 * 1ms old and 3 (goids 21..23) 900ms old, all parked. Site 11: four old
 * goroutines and no exits, so no threshold. */
static struct gtable *probe_setup(void)
{
	struct gtable *t = table(1000, 16);
	uint64_t g;

	for (g = 1; g <= 10; g++) {
		assert_int_equal(put_spawn(t, g, g, 10, 0x401000), 0);
		assert_int_equal(put_exit(t, g + 10 * MS, g), 0);
	}
	for (g = 21; g <= 23; g++) {
		assert_int_equal(put_spawn(t, 100 * MS + g, g, 10, 0x401000), 0);
		assert_int_equal(put_park(t, 100 * MS + g + 5, g, WR_CHAN_RECV), 0);
	}
	for (g = 31; g <= 35; g++) {
		assert_int_equal(put_spawn(t, SEC - MS, g, 10, 0x401000), 0);
		assert_int_equal(put_park(t, SEC - MS + 5, g, WR_CHAN_RECV), 0);
	}
	for (g = 41; g <= 44; g++) {
		assert_int_equal(put_spawn(t, 1000, g, 11, 0x402000), 0);
		assert_int_equal(put_park(t, 2000, g, WR_CHAN_RECV), 0);
	}
	return t;
}

static void test_probe_only_past_threshold(void **state)
{
	struct detector_opts o;
	struct probe_ctx c = {.answer = 1, .wr = WR_SELECT};
	struct gtable *t = probe_setup();
	const struct report_site *s;
	struct report r = {0};
	int i;

	(void)state;
	detector_opts__defaults(&o);
	/* The debounce alone settles a leak here (GC holds: elsewhere). */
	o.min_gc_cycles = 0;
	assert_int_equal(gtable__report(t, &o, SEC, probe, &c, &r), 0);
	/* Only the three old goroutines of the site with statistics. */
	assert_int_equal(c.calls, 3);
	for (i = 0; i < 3; i++)
		assert_true(c.goids[i] >= 21 && c.goids[i] <= 23);
	s = site_of(&r, 10);
	assert_non_null(s);
	assert_true(fabs(s->threshold_ns - 13e6) < 1.0);
	assert_int_equal(s->live, 8);
	assert_int_equal(s->exited, 10);
	assert_int_equal(s->suspects, 3);
	assert_int_equal(s->suspect_stack_bytes, 3 * STACK_BYTES);
	assert_int_equal(r.hdr.suspect_stack_bytes, 3 * STACK_BYTES);
	/* 5 goroutines 1ms old (the 1-10ms bucket), 3 at 900ms (100ms-1s). */
	assert_int_equal(s->age_hist[report__age_bucket(MS)], 5);
	assert_int_equal(s->age_hist[report__age_bucket(900 * MS)], 3);
	assert_int_equal(report__age_bucket(MS), 1);
	assert_int_equal(report__age_bucket(900 * MS), 3);
	/* The oldest suspect: goid 21, with the probe's wait reason. */
	assert_int_equal(s->sample_goid, 21);
	assert_int_equal(s->sample_g_addr, g_addr_of(21));
	assert_true(s->has_wait_reason);
	assert_int_equal(s->wait_reason, WR_SELECT);
	assert_int_equal(s->oldest_ns, SEC - 100 * MS - 21);
	assert_int_equal(s->verdict, VERDICT_OK); /* a candidate, not debounced yet */
	s = site_of(&r, 11);
	assert_non_null(s);
	assert_int_equal(s->suspects, 0);
	assert_int_equal(s->verdict, VERDICT_WARMING);
	assert_int_equal(s->wait_reason, WR_CHAN_RECV);
	assert_int_equal(s->sample_goid, 41);
	report__free(&r);

	/* Still parked at the next refresh: settled suspects, a candidate
	 * once; at the one after, debounced, a leak. */
	assert_int_equal(gtable__report(t, &o, 2 * SEC, probe, &c, &r), 0);
	assert_int_equal(c.calls, 3 + 8);
	s = site_of(&r, 10);
	assert_int_equal(s->verdict, VERDICT_OK);
	report__free(&r);
	assert_int_equal(gtable__report(t, &o, 2 * SEC + 500 * MS, probe, &c, &r), 0);
	assert_int_equal(c.calls, 3 + 8 + 8);
	s = site_of(&r, 10);
	assert_int_equal(s->verdict, VERDICT_LEAK);
	assert_ptr_equal(s, &r.sites[0]);
	report__free(&r);

	/* Running now, whatever the last park record said: not suspects,
	 * and the debounce starts over. */
	c.answer = 0;
	assert_int_equal(gtable__report(t, &o, 3 * SEC, probe, &c, &r), 0);
	s = site_of(&r, 10);
	assert_int_equal(s->suspects, 0);
	assert_int_equal(s->verdict, VERDICT_OK);
	report__free(&r);

	/* Unreadable: back to the records, which now say running (the probe
	 * said so last) for all eight. */
	c.answer = -EIO;
	assert_int_equal(gtable__report(t, &o, 4 * SEC, probe, &c, &r), 0);
	s = site_of(&r, 10);
	assert_int_equal(s->suspects, 0);
	/* Running and seconds old, they say the site's goroutines live
	 * that long: censored lifetimes, the threshold rises past them. */
	assert_true(s->threshold_ns > 4 * SEC - 100 * MS - 35);
	report__free(&r);
	/* New park records, then the probe fails: the records count. */
	for (i = 21; i <= 23; i++)
		assert_int_equal(put_park(t, 4 * SEC + 1, (uint64_t)i, WR_SELECT), 0);
	for (i = 31; i <= 35; i++)
		assert_int_equal(put_park(t, 4 * SEC + 1, (uint64_t)i, WR_CHAN_RECV), 0);
	assert_int_equal(gtable__report(t, &o, 5 * SEC, probe, &c, &r), 0);
	s = site_of(&r, 10);
	/* Parked now, all past the exits' threshold: none censored, and the
	 * threshold is the exits' own again. */
	assert_true(fabs(s->threshold_ns - 13e6) < 1.0);
	assert_int_equal(s->suspects, 8);
	assert_int_equal(s->sample_goid, 21);
	assert_int_equal(s->wait_reason, WR_SELECT);
	report__free(&r);

	/* Without a probe, the records decide. */
	assert_int_equal(gtable__report(t, &o, 6 * SEC, NULL, NULL, &r), 0);
	assert_int_equal(site_of(&r, 10)->suspects, 8);
	report__free(&r);
	gtable__free(t);
}

static void test_probe_gone(void **state)
{
	struct detector_opts o;
	struct probe_ctx c = {.answer = 1, .wr = WR_SELECT, .gone_below = 23};
	struct gtable *t = probe_setup();
	const struct report_site *s;
	struct gtable_stats st;
	struct report r = {0};

	(void)state;
	detector_opts__defaults(&o);
	assert_int_equal(gtable__report(t, &o, SEC, probe, &c, &r), 0);
	assert_int_equal(c.calls, 3);
	st = stats_of(t);
	assert_int_equal(st.vanished, 2);
	assert_int_equal(st.live, 8 + 4 - 2);
	assert_int_equal(r.hdr.live, st.live);
	s = site_of(&r, 10);
	/* Gone without an exit: removed, and no lifetime sample. */
	assert_int_equal(s->live, 6);
	assert_int_equal(s->exited, 10);
	assert_int_equal(s->suspects, 1);
	assert_int_equal(s->sample_goid, 23);
	assert_int_equal(s->oldest_ns, SEC - 100 * MS - 23);
	report__free(&r);

	/* They are not asked about again, and a late exit is unknown. */
	assert_int_equal(gtable__report(t, &o, 2 * SEC, probe, &c, &r), 0);
	assert_int_equal(c.calls, 3 + 6);
	report__free(&r);
	assert_int_equal(put_exit(t, 2 * SEC, 21), 0);
	st = stats_of(t);
	assert_int_equal(st.unknown, 1);
	assert_int_equal(st.vanished, 2);

	/* Every goroutine of the site gone at once. */
	c.gone_below = 100;
	assert_int_equal(gtable__report(t, &o, 3 * SEC, probe, &c, &r), 0);
	s = site_of(&r, 10);
	assert_non_null(s); /* it still has exits to show */
	assert_int_equal(s->live, 0);
	assert_int_equal(s->suspects, 0);
	assert_int_equal(s->sample_goid, 0);
	assert_int_equal(s->verdict, VERDICT_OK);
	st = stats_of(t);
	assert_int_equal(st.vanished, 8);
	assert_int_equal(st.live, 4);
	report__free(&r);
	gtable__free(t);
}

/* Without park records: a site with no statistics gets its sample from
 * one read of its oldest goroutine; past the threshold the probe decides
 * as with records. */
static void test_no_park_records(void **state)
{
	struct probe_ctx c = {.answer = 1, .wr = WR_SELECT};
	struct gtable *t = table(1000, 16);
	const struct report_site *s;
	struct detector_opts o;
	struct report r = {0};
	uint64_t g;

	(void)state;
	detector_opts__defaults(&o);
	gtable__set_park_records(t, false);
	for (g = 1; g <= 10; g++) {
		assert_int_equal(put_spawn(t, g, g, 10, 0x401000), 0);
		assert_int_equal(put_exit(t, g + 10 * MS, g), 0);
	}
	for (g = 21; g <= 23; g++)
		assert_int_equal(put_spawn(t, 100 * MS + g, g, 10, 0x401000), 0);
	for (g = 41; g <= 44; g++)
		assert_int_equal(put_spawn(t, 1000 + g, g, 11, 0x402000), 0);
	assert_int_equal(gtable__report(t, &o, SEC, probe, &c, &r), 0);
	/* Three past site 10's threshold, read while censoring (parked:
	 * not censored, suspects), then site 11's oldest (41). */
	assert_int_equal(c.calls, 4);
	assert_int_equal(c.goids[3], 41);
	s = site_of(&r, 10);
	assert_int_equal(s->suspects, 3);
	assert_int_equal(s->sample_goid, 21);
	s = site_of(&r, 11);
	assert_int_equal(s->suspects, 0);
	assert_true(s->has_wait_reason);
	assert_int_equal(s->wait_reason, WR_SELECT);
	assert_int_equal(s->sample_goid, 41);
	report__free(&r);
	/* Running now: no sample, and no suspects either. */
	c.answer = 0;
	c.calls = 0;
	assert_int_equal(gtable__report(t, &o, 2 * SEC, probe, &c, &r), 0);
	assert_false(site_of(&r, 11)->has_wait_reason);
	assert_int_equal(site_of(&r, 10)->suspects, 0);
	/* Running, they are censored: the threshold rises past them; site
	 * 11's oldest is read for a sample (site 10's are known running). */
	assert_int_equal(c.calls, 3 + 1);
	report__free(&r);
	gtable__free(t);
}

static struct gtable_seed seed_at(uint64_t goid, uint64_t gopc, uint64_t since)
{
	struct gtable_seed sd = {.goid = goid,
				 .g_addr = g_addr_of(goid),
				 .gopc = gopc,
				 .startpc = gopc + 0x100,
				 .since_ns = since,
				 .wait_reason = WR_CHAN_RECV,
				 .parked = true};

	return sd;
}

/* A walk after an off phase: goroutines it sees stay or join (as seeded,
 * whose exits give no sample), tracked ones it misses are dropped as
 * censored, and goroutines spawned after the walk began are kept. */
static void test_walk_observe_forget(void **state)
{
	struct gtable *t = table(1000, 16);
	struct gtable_seed sd;
	struct detector_opts o;
	struct gtable_stats st;
	struct report r = {0};
	uint64_t g;

	(void)state;
	detector_opts__defaults(&o);
	for (g = 1; g <= 4; g++)
		assert_int_equal(put_spawn(t, g * MS, g, 10, 0x401000), 0);
	/* Walk at 100ms: 1 and 2 live, 3 and 4 exited unseen; 7 was spawned
	 * while the probes were off; 5 is spawned after the walk began. */
	assert_int_equal(put_spawn(t, 101 * MS, 5, 10, 0x401000), 0);
	sd = seed_at(1, 0x401000, 100 * MS);
	assert_int_equal(gtable__observe(t, &sd), 0);
	sd = seed_at(2, 0x401000, 100 * MS);
	assert_int_equal(gtable__observe(t, &sd), 0);
	sd = seed_at(7, 0x401000, 100 * MS);
	assert_int_equal(gtable__observe(t, &sd), 0);
	assert_int_equal(gtable__forget_unobserved(t, 100 * MS), 2);
	st = stats_of(t);
	assert_int_equal(st.live, 4); /* 1, 2, 5 and 7 */
	assert_int_equal(st.vanished, 2);
	assert_int_equal(st.seeded, 1);
	/* The next walk does not see 1 or 5: both dropped now. */
	sd = seed_at(2, 0x401000, 200 * MS);
	assert_int_equal(gtable__observe(t, &sd), 0);
	sd = seed_at(7, 0x401000, 200 * MS);
	assert_int_equal(gtable__observe(t, &sd), 0);
	assert_int_equal(gtable__forget_unobserved(t, 200 * MS), 2);
	/* 7's exit is not a lifetime sample; 2's is. */
	assert_int_equal(put_exit(t, 300 * MS, 7), 0);
	assert_int_equal(put_exit(t, 300 * MS, 2), 0);
	assert_int_equal(gtable__report(t, &o, SEC, NULL, NULL, &r), 0);
	assert_int_equal(r.hdr.live, 0);
	assert_int_equal(site_of(&r, 10)->exited, 1);
	report__free(&r);
	assert_int_equal(gtable__observe(t, &(struct gtable_seed){0}), -EINVAL);
	gtable__free(t);
}

/* A site whose goroutines often outlive the probes' slice (exits missed,
 * censored) has no threshold: its short samples would flag its long
 * goroutines. */
static void test_censored_site_has_no_threshold(void **state)
{
	struct probe_ctx c = {.answer = 1, .wr = WR_SELECT};
	struct gtable *t = table(1000, 16);
	struct detector_opts o;
	struct report r = {0};
	uint64_t g;

	(void)state;
	detector_opts__defaults(&o);
	gtable__set_park_records(t, false);
	for (g = 1; g <= 20; g++) {
		assert_int_equal(put_spawn(t, g, g, 10, 0x401000), 0);
		assert_int_equal(put_exit(t, g + 10 * MS, g), 0);
	}
	for (g = 21; g <= 25; g++)
		assert_int_equal(put_spawn(t, 50 * MS + g, g, 10, 0x401000), 0);
	assert_int_equal(gtable__report(t, &o, SEC, probe, &c, &r), 0);
	assert_true(site_of(&r, 10)->threshold_ns > 0);
	assert_int_equal(site_of(&r, 10)->suspects, 5);
	report__free(&r);
	/* A walk finds two of them gone: 2 censored against 20 samples. */
	for (g = 23; g <= 25; g++) {
		struct gtable_seed sd = seed_at(g, 0x401000, 2 * SEC);

		assert_int_equal(gtable__observe(t, &sd), 0);
	}
	assert_int_equal(gtable__forget_unobserved(t, 2 * SEC), 2);
	c.calls = 0;
	assert_int_equal(gtable__report(t, &o, 3 * SEC, probe, &c, &r), 0);
	assert_true(site_of(&r, 10)->threshold_ns == 0.0);
	assert_int_equal(site_of(&r, 10)->suspects, 0);
	/* No suspect to read: only the site's oldest, for its sample. */
	assert_int_equal(c.calls, 1);
	assert_true(site_of(&r, 10)->has_wait_reason);
	report__free(&r);
	gtable__free(t);
}

/* Reserving sizes the map once; past max_goroutines it is clamped, and
 * the table still takes exactly max_goroutines. */
static void test_reserve(void **state)
{
	struct gtable *t = table(3000, 16);
	struct gtable_stats st;
	uint64_t g;

	(void)state;
	assert_int_equal(gtable__reserve(t, 2000), 0);
	assert_int_equal(gtable__reserve(t, 1ULL << 40), 0);
	for (g = 1; g <= 3001; g++)
		put_spawn(t, g, g, 1, 0x401000);
	st = stats_of(t);
	assert_int_equal(st.live, 3000);
	assert_int_equal(st.evicted, 1);
	gtable__free(t);
}

static void test_rates(void **state)
{
	struct detector_opts o;
	struct gtable *t = table(1000, 16);
	struct report r = {0};
	uint64_t g;

	(void)state;
	detector_opts__defaults(&o);
	for (g = 1; g <= 10; g++)
		assert_int_equal(put_spawn(t, g, g, 1, 0x401000), 0);
	assert_int_equal(gtable__report(t, &o, SEC, NULL, NULL, &r), 0);
	/* No previous report: no period, no rate. */
	assert_true(r.hdr.spawn_rate == 0.0);
	assert_true(r.sites[0].spawn_rate == 0.0);
	assert_int_equal(r.hdr.events, 10);
	report__free(&r);

	for (g = 11; g <= 110; g++)
		assert_int_equal(put_spawn(t, SEC + g, g, 1, 0x401000), 0);
	for (g = 1; g <= 50; g++)
		assert_int_equal(put_exit(t, 2 * SEC, g), 0);
	assert_int_equal(gtable__report(t, &o, 3 * SEC, NULL, NULL, &r), 0);
	assert_true(fabs(r.hdr.spawn_rate - 50.0) < 1e-9);
	assert_true(fabs(r.hdr.exit_rate - 25.0) < 1e-9);
	assert_true(fabs(r.sites[0].spawn_rate - 50.0) < 1e-9);
	assert_true(fabs(r.sites[0].exit_rate - 25.0) < 1e-9);
	assert_int_equal(r.hdr.events, 160);
	report__free(&r);

	/* A zero period (or a clock going back) gives 0, never a division by 0. */
	assert_int_equal(put_spawn(t, 3 * SEC, 500, 1, 0x401000), 0);
	assert_int_equal(gtable__report(t, &o, 3 * SEC, NULL, NULL, &r), 0);
	assert_true(r.hdr.spawn_rate == 0.0);
	report__free(&r);
	assert_int_equal(gtable__report(t, &o, 2 * SEC, NULL, NULL, &r), 0);
	assert_true(r.hdr.spawn_rate == 0.0);
	report__free(&r);
	gtable__free(t);
}

static void test_limits(void **state)
{
	struct detector_opts o;
	struct gtable *t = table(100, 2);
	struct gtable_stats st;
	struct report r = {0};
	uint64_t g;

	(void)state;
	detector_opts__defaults(&o);
	for (g = 1; g <= 150; g++)
		assert_int_equal(put_spawn(t, g, g, 1, 0x401000), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 100);
	assert_int_equal(st.evicted, 50);
	/* The untracked ones exit as unknowns; the tracked ones free room. */
	for (g = 1; g <= 150; g++)
		assert_int_equal(put_exit(t, 1000 + g, g), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.unknown, 50);
	for (g = 201; g <= 210; g++)
		assert_int_equal(put_spawn(t, 2000, g, 1, 0x401000), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 10);
	assert_int_equal(st.evicted, 50);

	/* Two sites at most: the third one's goroutines are not tracked. */
	assert_int_equal(put_spawn(t, 3000, 301, 2, 0x402000), 0);
	assert_int_equal(put_spawn(t, 3000, 302, 3, 0x403000), 0);
	assert_int_equal(put_spawn(t, 3000, 303, -1, 0x404000), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 11);
	assert_int_equal(st.evicted, 52);
	assert_int_equal(gtable__report(t, &o, 4000, NULL, NULL, &r), 0);
	assert_int_equal(r.nsites, 2);
	assert_int_equal(r.hdr.evictions, 52);
	report__free(&r);
	gtable__free(t);

	/* Bad limits. */
	{
		struct gtable_limits lim = {.max_goroutines = 0, .max_sites = 1};

		errno = 0;
		assert_null(gtable__new(&lim));
		assert_int_equal(errno, EINVAL);
		lim = (struct gtable_limits){.max_goroutines = 1, .max_sites = 0};
		assert_null(gtable__new(&lim));
		assert_null(gtable__new(NULL));
		gtable__free(NULL);
	}
	assert_int_equal(gtable__report(NULL, &o, 0, NULL, NULL, &r), -EINVAL);
}

/* Random spawns and exits against a reference set: growth past the first
 * allocation, many sites, and backward-shift deletion keep every live
 * goroutine findable. */
static void test_map_stress(void **state)
{
	enum { NGOID = 30000 };
	static unsigned char present[NGOID + 1];
	struct detector_opts o;
	struct gtable *t = table(NGOID, 1024);
	struct gtable_stats st;
	struct report r = {0};
	uint64_t live = 0, g, ts = 1, i, sum;

	(void)state;
	detector_opts__defaults(&o);
	memset(present, 0, sizeof(present));
	rng_state = 1234567;
	for (i = 0; i < 400000; i++) {
		/* Skewed to ever more live goroutines, then back down. */
		g = 1 + rnd_u64() % (i < 200000 ? NGOID : NGOID / 4);
		ts++;
		if (present[g]) {
			assert_int_equal(put_exit(t, ts, g), 0);
			present[g] = 0;
			live--;
		} else if (i < 300000) {
			assert_int_equal(put_spawn(t, ts, g, (int32_t)(g % 700), 0x401000), 0);
			present[g] = 1;
			live++;
		}
		if (i % 50000 == 0) {
			assert_int_equal(gtable__report(t, &o, ts, NULL, NULL, &r), 0);
			sum = 0;
			for (size_t k = 0; k < r.nsites; k++)
				sum += r.sites[k].live;
			assert_int_equal(sum, live);
			report__free(&r);
		}
	}
	st = stats_of(t);
	assert_int_equal(st.live, live);
	assert_int_equal(st.unknown, 0);
	assert_int_equal(st.evicted, 0);
	/* Exit the rest: every one must be found. */
	for (g = 1; g <= NGOID; g++)
		if (present[g])
			assert_int_equal(put_exit(t, ++ts, g), 0);
	st = stats_of(t);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.unknown, 0);
	gtable__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_healthy_vs_leaking),
	    cmocka_unit_test(test_leak_without_gcs_is_timed),
	    cmocka_unit_test(test_slow_tail_is_not_a_leak),
	    cmocka_unit_test(test_growing_site),
	    cmocka_unit_test(test_seeded_goroutines),
	    cmocka_unit_test(test_worker_pool),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_fuzz_smoke),
	    cmocka_unit_test(test_duplicate_and_unknown),
	    cmocka_unit_test(test_probe_only_past_threshold),
	    cmocka_unit_test(test_probe_gone),
	    cmocka_unit_test(test_no_park_records),
	    cmocka_unit_test(test_walk_observe_forget),
	    cmocka_unit_test(test_censored_site_has_no_threshold),
	    cmocka_unit_test(test_reserve),
	    cmocka_unit_test(test_rates),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_map_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
