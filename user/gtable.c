/* The goroutine table: decodes lifecycle records into live goroutines
 * grouped by creation site, and turns them into a report on demand.
 *
 * Goroutines live in an open-addressing hash map (linear probing, load at
 * most 3/4, backward-shift deletion so lookups never wade through
 * tombstones). goid 0 belongs to g0, which is never spawned, so it marks a
 * free slot. Sites live in an array that only grows (a site is never
 * forgotten: its statistics are the point) with a second open-addressing
 * index from site key to array index. Entries refer to their site by index,
 * which survives the array's reallocation. */
#include "gtable.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "stats.h"
#include "survival.h"

#define GOR_MIN_SLOTS  16
#define GOR_INIT_SLOTS 1024
#define SITE_INIT      64
#define SITE_NONE      UINT32_MAX
#define NOT_FOUND      SIZE_MAX
/* Stack ids are s32; gopc keys carry this bit so the two never collide. */
#define SITE_KEY_GOPC (1ULL << 63)
#define GOPC_CACHE    256

struct gor {
	uint64_t goid; /* 0: free slot */
	uint64_t spawn_ns;
	uint64_t g_addr;
	uint32_t site;
	uint8_t wait_reason; /* the runtime's waitReason is a uint8 */
	/* log2 of its stack as the probe last read it (Go's stacks are
	 * powers of two); 0: unknown */
	uint8_t stack_log2;
	uint8_t parked : 1;
	uint8_t gone : 1;   /* the probe found it dead: swept after the report pass */
	uint8_t seeded : 1; /* alive before attach: its spawn time is a lower bound */
	uint8_t walk_gen;   /* the last walk (gtable__observe) that saw it */
};

/* A million tracked goroutines are a million entries at a load of at
 * most 3/4: the entry's size is most of linger's memory per goroutine. */
_Static_assert(sizeof(struct gor) == 32, "goroutine entry must stay 32 bytes");

/* The goroutine a site shows: its oldest parked one. */
struct pick {
	bool set;
	uint64_t age;
	uint64_t goid;
	uint64_t g_addr;
	uint32_t wait_reason;
};

struct site {
	uint64_t key;
	uint64_t gopc;
	uint64_t startpc;
	uint64_t live;
	struct welford life;		/* exited lifetimes, ns */
	struct survival_hist life_hist; /* the same, grouped */
	/* Ages of the live goroutines that were not suspects at the last
	 * report: lifetimes known only to be at least that long. */
	struct survival_hist censored;
	struct welford estimate; /* of lifetimes, exits and censored together */
	uint64_t unseen_exits;	 /* spawned while probed, exited unseen (duty cycle) */
	uint64_t spawns;	 /* tracked spawns, since attach */
	uint64_t exits;
	uint64_t prev_spawns; /* at the previous report */
	uint64_t prev_exits;
	uint64_t history[DETECTOR_MAX_WINDOW]; /* live count per report, a ring */
	uint32_t hist_len;
	uint32_t hist_next;
	uint32_t candidate_runs; /* consecutive reports as a leak candidate */
	uint64_t candidate_gc0;	 /* target GCs when the run began */
	uint64_t candidate_ns0;	 /* and the report time */
	bool seeded_only;	 /* keyed by gopc for seeded goroutines, unclaimed */

	/* Scratch of the report in progress. */
	double naive;	  /* threshold of the exits alone */
	double threshold; /* of exits and censored lifetimes */
	uint64_t oldest;
	uint64_t suspects;
	/* suspects already past the threshold at the previous report: only
	 * these count towards a leak, so goroutines of a healthy slow tail,
	 * which cross the threshold and exit within a refresh, never do */
	uint64_t settled;
	uint64_t suspect_bytes;
	uint32_t age_hist[REPORT_AGE_BUCKETS];
	struct pick sample;
	/* Without park records: its oldest goroutine not past the threshold,
	 * whose parked state is read once the pass is over. */
	struct pick oldest_any;
};

struct gtable {
	struct gtable_limits lim;
	struct gtable_stats st;

	struct gor *gors;
	size_t nslots; /* power of two */
	size_t max_slots;

	struct site *sites;
	uint32_t nsites;
	uint32_t cap_sites;
	uint32_t *site_index; /* SITE_NONE or an index into sites */
	size_t nindex;	      /* power of two, at least twice cap_sites */

	bool have_tgid;
	uint32_t tgid;
	uint32_t gopc_cache[GOPC_CACHE]; /* site__of_gopc: site index + 1, or 0 */
	bool park_records;		 /* the park probe is attached */
	uint8_t walk_gen;		 /* of the walk in progress; never 0 */

	bool have_prev;
	uint64_t prev_ns;
	/* When each of the last reports was made, a ring indexed like the
	 * sites' live histories, for rates over the growth window. */
	uint64_t report_ns[DETECTOR_MAX_WINDOW];
	uint64_t nreports;
	uint64_t prev_spawns;
	uint64_t prev_exits;
	/* Live goroutines at each of those reports, for the growth alarm. */
	uint64_t live_history[DETECTOR_MAX_WINDOW];
	uint64_t gc_cycles; /* the target's completed GCs, as last told */
};

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* splitmix64's finalizer: goids are sequential and stack ids small, and
 * linear probing needs their low bits spread. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static size_t gor__find(const struct gtable *t, uint64_t goid)
{
	size_t mask = t->nslots - 1, i = mix64(goid) & mask;

	/* Terminates: the load stays below 1, so a free slot exists. */
	for (;;) {
		if (t->gors[i].goid == goid)
			return i;
		if (!t->gors[i].goid)
			return NOT_FOUND;
		i = (i + 1) & mask;
	}
}

static void gor__place(struct gor *slots, size_t nslots, const struct gor *g)
{
	size_t mask = nslots - 1, i = mix64(g->goid) & mask;

	while (slots[i].goid)
		i = (i + 1) & mask;
	slots[i] = *g;
}

/* Empties slot i and shifts later members of its probe run back, so that
 * every entry stays reachable from its home slot without tombstones. */
static void gor__remove_slot(struct gtable *t, size_t i)
{
	size_t mask = t->nslots - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (!t->gors[j].goid)
			break;
		home = mix64(t->gors[j].goid) & mask;
		/* j may fill the hole unless its home lies cyclically in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->gors[i] = t->gors[j];
			i = j;
		}
	}
	memset(&t->gors[i], 0, sizeof(t->gors[i]));
}

/* Rehashes into n slots (a power of two, more than now). */
static int gor__resize(struct gtable *t, size_t n)
{
	struct gor *slots;
	size_t i;

	if (n > t->max_slots)
		return -ENOSPC;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->nslots; i++)
		if (t->gors[i].goid)
			gor__place(slots, n, &t->gors[i]);
	free(t->gors);
	t->gors = slots;
	t->nslots = n;
	return 0;
}

static int gor__grow(struct gtable *t)
{
	return gor__resize(t, t->nslots * 2);
}

int gtable__reserve(struct gtable *t, uint64_t n)
{
	size_t slots = t->nslots;

	if (n > t->lim.max_goroutines)
		n = t->lim.max_goroutines;
	while (slots < t->max_slots && n * 4 > (uint64_t)slots * 3)
		slots <<= 1;
	return slots > t->nslots ? gor__resize(t, slots) : 0;
}

/* True when one more goroutine fits, growing the map if it must. */
static bool gor__room(struct gtable *t)
{
	uint64_t live = t->st.live;

	if (live >= t->lim.max_goroutines)
		return false;
	if ((live + 1) * 4 <= (uint64_t)t->nslots * 3)
		return true;
	if (!gor__grow(t))
		return true;
	/* No memory to grow: run fuller, but keep one slot free so that
	 * lookups of absent goids still end. */
	return live + 2 <= t->nslots;
}

static void site__index_insert(uint32_t *index, size_t nindex, const struct site *sites,
			       uint32_t idx)
{
	size_t mask = nindex - 1, i = mix64(sites[idx].key) & mask;

	while (index[i] != SITE_NONE)
		i = (i + 1) & mask;
	index[i] = idx;
}

static uint32_t site__find(const struct gtable *t, uint64_t key)
{
	size_t mask = t->nindex - 1, i = mix64(key) & mask;

	for (;;) {
		uint32_t idx = t->site_index[i];

		if (idx == SITE_NONE || t->sites[idx].key == key)
			return idx;
		i = (i + 1) & mask;
	}
}

static uint32_t *site__index_new(size_t nindex)
{
	uint32_t *index = malloc(nindex * sizeof(*index));

	if (index)
		memset(index, 0xff, nindex * sizeof(*index));
	return index;
}

static int site__grow(struct gtable *t)
{
	uint32_t cap = t->cap_sites, i;
	uint32_t *index = NULL;
	struct site *sites;
	size_t nindex;
	int err = 0;

	cap = cap > t->lim.max_sites / 2 ? t->lim.max_sites : cap * 2;
	if (cap <= t->cap_sites)
		return -ENOSPC;
	nindex = pow2_at_least((size_t)cap * 2);
	if (nindex > t->nindex) {
		index = site__index_new(nindex);
		if (!index) {
			err = -ENOMEM;
			goto cleanup;
		}
	}
	sites = realloc(t->sites, (size_t)cap * sizeof(*sites));
	if (!sites) {
		err = -ENOMEM;
		goto cleanup;
	}
	t->sites = sites;
	t->cap_sites = cap;
	if (index) {
		/* Indices into sites survive the realloc; only the index moves. */
		free(t->site_index);
		t->site_index = index;
		t->nindex = nindex;
		index = NULL;
		for (i = 0; i < t->nsites; i++)
			site__index_insert(t->site_index, t->nindex, t->sites, i);
	}

cleanup:
	free(index);
	return err;
}

/* The site of key, created on first sight; SITE_NONE when it is new and
 * there is no room for it. */
static uint32_t site__get(struct gtable *t, uint64_t key, uint64_t gopc, uint64_t startpc)
{
	uint32_t idx = site__find(t, key);
	struct site *s;

	if (idx != SITE_NONE)
		return idx;
	if (t->nsites == t->cap_sites && site__grow(t))
		return SITE_NONE;
	idx = t->nsites++;
	s = &t->sites[idx];
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->gopc = gopc;
	s->startpc = startpc;
	site__index_insert(t->site_index, t->nindex, t->sites, idx);
	return idx;
}

struct gtable *gtable__new(const struct gtable_limits *lim)
{
	struct gtable *t = NULL;
	uint64_t slots;
	int err = 0;

	if (!lim || !lim->max_goroutines || !lim->max_sites) {
		err = EINVAL;
		goto cleanup;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		err = ENOMEM;
		goto cleanup;
	}
	t->lim = *lim;
	t->park_records = true;
	t->walk_gen = 1;
	/* The smallest power of two that holds max_goroutines at load 3/4. */
	slots = GOR_MIN_SLOTS;
	while (slots / 4 * 3 < lim->max_goroutines)
		slots <<= 1;
	t->max_slots = slots;
	t->nslots = slots < GOR_INIT_SLOTS ? slots : GOR_INIT_SLOTS;
	t->gors = calloc(t->nslots, sizeof(*t->gors));
	t->cap_sites = lim->max_sites < SITE_INIT ? lim->max_sites : SITE_INIT;
	t->sites = calloc(t->cap_sites, sizeof(*t->sites));
	t->nindex = pow2_at_least((size_t)t->cap_sites * 2);
	t->site_index = site__index_new(t->nindex);
	if (!t->gors || !t->sites || !t->site_index)
		err = ENOMEM;

cleanup:
	if (err) {
		gtable__free(t);
		errno = err;
		return NULL;
	}
	return t;
}

void gtable__free(struct gtable *t)
{
	if (!t)
		return;
	free(t->gors);
	free(t->sites);
	free(t->site_index);
	free(t);
}

/* Rebuilds the site index, after a site's key changed. */
static void site__reindex(struct gtable *t)
{
	memset(t->site_index, 0xff, t->nindex * sizeof(*t->site_index));
	for (uint32_t i = 0; i < t->nsites; i++)
		site__index_insert(t->site_index, t->nindex, t->sites, i);
}

/* The site of a spawn record's key. Goroutines read from allgs at attach
 * sit in a site keyed by their `go` statement alone, having no creation
 * stack; the first creation stack seen for that statement takes that site
 * over, so the old goroutines and the new ones are judged together. */
static uint32_t site__claim(struct gtable *t, uint64_t key, uint64_t gopc, uint64_t startpc)
{
	uint32_t idx = site__find(t, key);

	if (idx != SITE_NONE)
		return idx;
	idx = key & SITE_KEY_GOPC ? SITE_NONE : site__find(t, gopc | SITE_KEY_GOPC);
	if (idx != SITE_NONE && t->sites[idx].seeded_only) {
		t->sites[idx].key = key;
		t->sites[idx].seeded_only = false;
		site__reindex(t);
		return idx;
	}
	return site__get(t, key, gopc, startpc);
}

/* The first site keyed by a creation stack whose `go` statement is gopc,
 * or SITE_NONE: where a goroutine seen only by a walk belongs once spawns
 * of its statement have been seen. A small cache of the last answers
 * spares most lookups the scan. */
static uint32_t site__of_gopc(struct gtable *t, uint64_t gopc)
{
	uint32_t *slot = &t->gopc_cache[mix64(gopc) % GOPC_CACHE], idx;

	if (*slot && *slot <= t->nsites && t->sites[*slot - 1].gopc == gopc &&
	    !(t->sites[*slot - 1].key & SITE_KEY_GOPC))
		return *slot - 1;
	for (idx = 0; idx < t->nsites; idx++)
		if (t->sites[idx].gopc == gopc && !(t->sites[idx].key & SITE_KEY_GOPC)) {
			*slot = idx + 1;
			return idx;
		}
	return SITE_NONE;
}

/* A seeded goroutine's spawn record arrived after all. */
static void gor__unseed(struct gtable *t, struct gor *g, uint64_t key,
			const struct lc_event_spawn *e)
{
	uint32_t site = site__claim(t, key, e->gopc, e->startpc);

	if (site == SITE_NONE)
		return;
	t->sites[g->site].live--;
	t->sites[site].live++;
	t->sites[site].spawns++;
	g->site = site;
	g->spawn_ns = e->hdr.ts_ns;
	g->seeded = 0;
}

int gtable__seed(struct gtable *t, const struct gtable_seed *sd)
{
	struct gor g = {0};
	uint32_t site;

	if (!sd->goid)
		return -EINVAL;
	if (gor__find(t, sd->goid) != NOT_FOUND)
		return -EEXIST;
	if (!gor__room(t)) {
		t->st.evicted++;
		return -ENOSPC;
	}
	site = site__find(t, sd->gopc | SITE_KEY_GOPC);
	if (site == SITE_NONE)
		site = site__of_gopc(t, sd->gopc);
	if (site == SITE_NONE) {
		site = site__get(t, sd->gopc | SITE_KEY_GOPC, sd->gopc, sd->startpc);
		if (site == SITE_NONE) {
			t->st.evicted++;
			return -ENOSPC;
		}
		t->sites[site].seeded_only = true;
	}
	g.goid = sd->goid;
	g.spawn_ns = sd->since_ns;
	g.g_addr = sd->g_addr;
	g.site = site;
	g.parked = sd->parked;
	g.wait_reason = (uint8_t)sd->wait_reason;
	g.seeded = 1;
	gor__place(t->gors, t->nslots, &g);
	t->sites[site].live++;
	t->st.live++;
	t->st.seeded++;
	return 0;
}

static void ingest__spawn(struct gtable *t, const struct lc_event_spawn *e)
{
	struct gor g = {0};
	uint64_t key;
	uint32_t site;

	size_t found;

	t->st.spawns++;
	key = e->stack_id >= 0 ? (uint64_t)(uint32_t)e->stack_id : (e->gopc | SITE_KEY_GOPC);
	found = gor__find(t, e->goid);
	if (found != NOT_FOUND) {
		/* A duplicate record: the first one stands. A goroutine read
		 * from allgs while its spawn record was queued gets its real
		 * spawn time and site. */
		if (t->gors[found].seeded)
			gor__unseed(t, &t->gors[found], key, e);
		return;
	}
	if (!gor__room(t)) {
		t->st.evicted++;
		return;
	}
	site = site__claim(t, key, e->gopc, e->startpc);
	if (site == SITE_NONE) {
		t->st.evicted++;
		return;
	}
	g.goid = e->goid;
	g.spawn_ns = e->hdr.ts_ns;
	g.g_addr = e->g_addr;
	g.site = site;
	gor__place(t->gors, t->nslots, &g);
	t->sites[site].live++;
	t->sites[site].spawns++;
	t->st.live++;
}

static void ingest__park(struct gtable *t, const struct lc_event_park *e)
{
	size_t i = gor__find(t, e->goid);
	struct gor *g;

	t->st.parks++;
	if (i == NOT_FOUND) {
		t->st.unknown++;
		return;
	}
	g = &t->gors[i];
	g->parked = 1;
	g->wait_reason = (uint8_t)e->wait_reason;
	if (!g->g_addr)
		g->g_addr = e->g_addr;
}

static void ingest__exit(struct gtable *t, const struct lc_event_exit *e)
{
	size_t i = gor__find(t, e->goid);
	struct site *s;

	t->st.exits++;
	if (i == NOT_FOUND) {
		t->st.unknown++;
		return;
	}
	s = &t->sites[t->gors[i].site];
	/* Records from different CPUs can arrive a little out of order. A
	 * seeded goroutine's lifetime is unknown: it would bias the mean. */
	if (!t->gors[i].seeded) {
		double life = (double)sat_sub(e->hdr.ts_ns, t->gors[i].spawn_ns);

		welford__add(&s->life, life);
		survival_hist__add(&s->life_hist, life);
	}
	s->exits++;
	s->live--;
	t->st.live--;
	gor__remove_slot(t, i);
}

int gtable__ingest(struct gtable *t, const void *rec, size_t len)
{
	union {
		struct lc_event_header hdr;
		struct lc_event_spawn spawn;
		struct lc_event_park park;
		struct lc_event_exit exit;
	} e;
	size_t want;

	t->st.records++;
	if (!rec || len < sizeof(e.hdr))
		goto malformed;
	/* Copy out: the caller's bytes need not be aligned. */
	memcpy(&e.hdr, rec, sizeof(e.hdr));
	switch (e.hdr.type) {
	case LC_EVENT_SPAWN:
		want = sizeof(e.spawn);
		break;
	case LC_EVENT_PARK:
		want = sizeof(e.park);
		break;
	case LC_EVENT_EXIT:
		want = sizeof(e.exit);
		break;
	default:
		goto malformed;
	}
	/* Exact: a longer record is another layout, not this one plus junk. */
	if (len != want)
		goto malformed;
	memcpy(&e, rec, want);
	if (t->have_tgid && e.hdr.tgid != t->tgid)
		goto malformed;
	switch (e.hdr.type) {
	case LC_EVENT_SPAWN:
		if (!e.spawn.goid)
			goto malformed;
		ingest__spawn(t, &e.spawn);
		break;
	case LC_EVENT_PARK:
		if (!e.park.goid)
			goto malformed;
		ingest__park(t, &e.park);
		break;
	default:
		if (!e.exit.goid)
			goto malformed;
		ingest__exit(t, &e.exit);
		break;
	}
	t->have_tgid = true;
	t->tgid = e.hdr.tgid;
	return 0;

malformed:
	t->st.malformed++;
	return -EINVAL;
}

int gtable__observe(struct gtable *t, const struct gtable_seed *sd)
{
	size_t i;
	int err;

	if (!sd->goid)
		return -EINVAL;
	i = gor__find(t, sd->goid);
	if (i == NOT_FOUND) {
		err = gtable__seed(t, sd);
		if (err)
			return err;
		i = gor__find(t, sd->goid);
	} else {
		t->gors[i].parked = sd->parked;
		t->gors[i].wait_reason = (uint8_t)sd->wait_reason;
	}
	t->gors[i].walk_gen = t->walk_gen;
	return 0;
}

uint64_t gtable__forget_unobserved(struct gtable *t, uint64_t walk_start_ns)
{
	uint64_t dropped = 0;
	size_t i = 0;

	while (i < t->nslots) {
		struct gor *g = &t->gors[i];

		if (!g->goid || g->walk_gen == t->walk_gen || g->spawn_ns >= walk_start_ns) {
			i++;
			continue;
		}
		/* It exited while the probes were off: when is unknown, so no
		 * lifetime sample; a lifetime longer than the probes' slice. */
		if (!g->seeded)
			t->sites[g->site].unseen_exits++;
		t->sites[g->site].live--;
		t->st.live--;
		t->st.vanished++;
		dropped++;
		/* The shift may pull a later entry into i: look at i again. */
		gor__remove_slot(t, i);
	}
	t->walk_gen = t->walk_gen == UINT8_MAX ? 1 : t->walk_gen + 1;
	return dropped;
}

void gtable__set_park_records(struct gtable *t, bool on)
{
	t->park_records = on;
}

void gtable__stats(const struct gtable *t, struct gtable_stats *out)
{
	*out = t->st;
}

static void pick__offer(struct pick *p, uint64_t age, const struct gor *g, uint32_t wait_reason)
{
	/* Equal ages go to the lower goid so the sample does not depend on
	 * the hash map's layout. */
	if (p->set && (age < p->age || (age == p->age && g->goid > p->goid)))
		return;
	p->set = true;
	p->age = age;
	p->goid = g->goid;
	p->g_addr = g->g_addr;
	p->wait_reason = wait_reason;
}

/* Asks the target about one goroutine and keeps the answer in g. Returns
 * true when it is gone (marked, not yet removed). */
static bool gor__probe(struct gor *g, gtable_probe_fn probe, void *ctx)
{
	struct gtable_gstate gs = {0};
	int r = probe(ctx, g->goid, g->g_addr, &gs);

	if (r == -ESRCH) {
		g->gone = 1;
		return true;
	}
	if (r == 1) {
		g->parked = 1;
		g->wait_reason = (uint8_t)gs.wait_reason;
		g->stack_log2 = 0;
		while (g->stack_log2 < 63 && (1ULL << (g->stack_log2 + 1)) <= gs.stack_bytes)
			g->stack_log2++;
	} else if (r == 0) {
		g->parked = 0;
	}
	return false;
}

/* A site whose exits the duty cycle often misses (lifetimes longer than
 * the probes' on slice) has samples biased to its short lifetimes: a
 * threshold from them would flag its healthy long ones. It is judged
 * like a site without statistics, by growth. */
static bool site__unseen_heavy(const struct site *s)
{
	return s->unseen_exits * 20 > s->life.n;
}

static bool gor__exempt(const struct gor *g, const struct detector_opts *o)
{
	return o->exempt_reason >= 0 && g->wait_reason == (uint64_t)o->exempt_reason;
}

/* First pass of a report. Goroutines past their site's threshold of the
 * exits alone are worth a read of the target's memory (the rest cannot be
 * suspects): parked now, running, or gone (an exit record was lost). The
 * other live goroutines, and the running ones, are the site's censored
 * lifetimes: each will live at least as long as it has (a seeded one's
 * age is a lower bound already). A goroutine that may be a leak never
 * stretches the threshold it is judged by, or a leak would hide itself;
 * nor does one that is gone. Returns true when some goroutine is gone. */
static bool report__probe_and_censor(struct gtable *t, const struct detector_opts *o,
				     uint64_t now_ns, gtable_probe_fn probe, void *ctx)
{
	bool swept = false;
	uint32_t si;
	size_t i;

	for (si = 0; si < t->nsites; si++) {
		memset(&t->sites[si].censored, 0, sizeof(t->sites[si].censored));
		t->sites[si].naive = site__unseen_heavy(&t->sites[si])
					 ? 0.0
					 : detector__threshold(o, &t->sites[si].life);
	}
	for (i = 0; i < t->nslots; i++) {
		struct gor *g = &t->gors[i];
		struct site *s;
		uint64_t age;
		bool past;

		if (!g->goid)
			continue;
		s = &t->sites[g->site];
		age = sat_sub(now_ns, g->spawn_ns);
		past = s->naive > 0.0 && (double)age > s->naive;
		if (past && probe && gor__probe(g, probe, ctx)) {
			swept = true;
			continue;
		}
		if (g->parked && past && !gor__exempt(g, o))
			continue;
		survival_hist__add(&s->censored, (double)age);
	}
	return swept;
}

/* Second pass: folds one live goroutine into its site's scratch, against
 * the threshold of exits and censored lifetimes. Returns true when the
 * probe found it gone (it is then marked, not yet removed): only possible
 * for a goroutine past this threshold but not past the first pass's. */
static bool report__visit(struct gtable *t, struct gor *g, const struct detector_opts *o,
			  uint64_t now_ns, uint64_t period, gtable_probe_fn probe, void *ctx)
{
	struct site *s = &t->sites[g->site];
	uint64_t age = sat_sub(now_ns, g->spawn_ns);
	bool past = s->threshold > 0.0 && (double)age > s->threshold;
	bool settled = past && period && (double)sat_sub(age, period) > s->threshold;
	bool probed = s->naive > 0.0 && (double)age > s->naive;

	if (past && !probed && probe && gor__probe(g, probe, ctx))
		return true;
	if (age > s->oldest)
		s->oldest = age;
	s->age_hist[report__age_bucket(age)]++;
	/* Without park records the flag is only as fresh as the last read:
	 * unread this report, it is not trusted (the site's sample is read
	 * afresh after the pass). */
	if (!t->park_records && !past && !probed) {
		pick__offer(&s->oldest_any, age, g, g->wait_reason);
		return false;
	}
	if (!g->parked)
		return false;
	if (gor__exempt(g, o))
		past = settled = false;
	if (past) {
		s->suspects++;
		s->suspect_bytes += g->stack_log2 ? 1ULL << g->stack_log2 : 0;
	}
	if (settled)
		s->settled++;
	/* Any parked goroutine older than the oldest suspect would be a
	 * suspect too, so the oldest parked one is the oldest suspect. */
	pick__offer(&s->sample, age, g, g->wait_reason);
	return false;
}

/* Without park records, a site none of whose goroutines is past its
 * threshold (a young site, or one without statistics) has no sample yet:
 * its oldest goroutine is read, one read per site, and becomes the sample
 * if it is parked now. */
static void report__sample_unparked(struct gtable *t, gtable_probe_fn probe, void *ctx)
{
	for (uint32_t si = 0; si < t->nsites; si++) {
		struct site *s = &t->sites[si];
		struct gtable_gstate gs = {0};
		size_t i;

		if (s->sample.set || !s->oldest_any.set)
			continue;
		if (probe(ctx, s->oldest_any.goid, s->oldest_any.g_addr, &gs) != 1)
			continue;
		s->sample = s->oldest_any;
		s->sample.wait_reason = gs.wait_reason;
		i = gor__find(t, s->oldest_any.goid);
		if (i != NOT_FOUND) {
			t->gors[i].parked = 1;
			t->gors[i].wait_reason = (uint8_t)gs.wait_reason;
		}
	}
}

static void report__sweep(struct gtable *t)
{
	size_t i = 0;

	while (i < t->nslots) {
		struct gor *g = &t->gors[i];

		if (!g->goid || !g->gone) {
			i++;
			continue;
		}
		/* No lifetime sample: when it ended is unknown. */
		t->sites[g->site].live--;
		t->st.live--;
		t->st.vanished++;
		/* The shift may pull a later entry into i: look at i again. */
		gor__remove_slot(t, i);
	}
}

static enum verdict site__advance(const struct gtable *t, struct site *s,
				  const struct detector_opts *o, uint64_t now_ns)
{
	uint64_t hist[DETECTOR_MAX_WINDOW];
	uint32_t start, i;

	s->history[s->hist_next] = s->live;
	s->hist_next = (s->hist_next + 1) % DETECTOR_MAX_WINDOW;
	if (s->hist_len < DETECTOR_MAX_WINDOW)
		s->hist_len++;

	if (s->life.n < o->min_samples) {
		s->candidate_runs = 0;
		start = (s->hist_next + DETECTOR_MAX_WINDOW - s->hist_len) % DETECTOR_MAX_WINDOW;
		for (i = 0; i < s->hist_len; i++)
			hist[i] = s->history[(start + i) % DETECTOR_MAX_WINDOW];
		return detector__growing(o, hist, s->hist_len) ? VERDICT_GROWING : VERDICT_WARMING;
	}
	if (!detector__leak_candidate(o, s->settled, s->live)) {
		s->candidate_runs = 0;
		return VERDICT_OK;
	}
	if (!s->candidate_runs) {
		s->candidate_gc0 = t->gc_cycles;
		s->candidate_ns0 = now_ns;
	}
	if (s->candidate_runs < UINT32_MAX)
		s->candidate_runs++;
	return detector__held(o, s->candidate_runs, sat_sub(t->gc_cycles, s->candidate_gc0),
			      sat_sub(now_ns, s->candidate_ns0))
		   ? VERDICT_LEAK
		   : VERDICT_OK;
}

/* How fast the site's live count grew over the growth window (or since
 * the site appeared, if later), per minute; 0 when it did not grow. Call
 * after site__advance, once the report's time is in report_ns. */
static double site__growth_per_min(const struct gtable *t, const struct site *s,
				   const struct detector_opts *o, uint64_t now_ns)
{
	uint32_t back = s->hist_len ? s->hist_len - 1 : 0;
	uint64_t then_live, then_ns, span;

	if (back > o->growth_window)
		back = o->growth_window;
	if (!back || back >= t->nreports)
		return 0.0;
	then_live =
	    s->history[(s->hist_next + 2 * DETECTOR_MAX_WINDOW - 1 - back) % DETECTOR_MAX_WINDOW];
	then_ns = t->report_ns[(t->nreports - 1 - back) % DETECTOR_MAX_WINDOW];
	span = sat_sub(now_ns, then_ns);
	if (!span || s->live <= then_live)
		return 0.0;
	return (double)(s->live - then_live) * 60e9 / (double)span;
}

/* The growth of the whole target's live count over the growth window, per
 * second; 0 when it did not grow. Call once the report is recorded. */
static double gtable__growth_per_s(const struct gtable *t, const struct detector_opts *o,
				   uint64_t now_ns)
{
	uint64_t back = t->nreports ? t->nreports - 1 : 0, then_live, span;

	if (back > o->growth_window)
		back = o->growth_window;
	if (!back)
		return 0.0;
	then_live = t->live_history[(t->nreports - 1 - back) % DETECTOR_MAX_WINDOW];
	span = sat_sub(now_ns, t->report_ns[(t->nreports - 1 - back) % DETECTOR_MAX_WINDOW]);
	if (!span || t->st.live <= then_live)
		return 0.0;
	return (double)(t->st.live - then_live) * 1e9 / (double)span;
}

void gtable__set_gc_cycles(struct gtable *t, uint64_t n)
{
	t->gc_cycles = n;
}

static void site__fill(const struct site *s, enum verdict v, struct report_site *rs)
{
	rs->key = s->key;
	rs->gopc = s->gopc;
	rs->startpc = s->startpc;
	rs->live = s->live;
	rs->exited = s->life.n;
	rs->suspects = s->suspects;
	rs->settled = s->settled;
	rs->mean_ns = s->estimate.n ? s->estimate.mean : 0.0;
	rs->stddev_ns = welford__stddev(&s->estimate);
	rs->threshold_ns = s->threshold;
	rs->oldest_ns = s->live ? s->oldest : 0;
	rs->suspect_stack_bytes = s->suspect_bytes;
	memcpy(rs->age_hist, s->age_hist, sizeof(rs->age_hist));
	rs->has_wait_reason = s->sample.set;
	rs->wait_reason = s->sample.set ? s->sample.wait_reason : 0;
	rs->sample_goid = s->sample.set ? s->sample.goid : 0;
	rs->sample_g_addr = s->sample.set ? s->sample.g_addr : 0;
	rs->verdict = v;
}

int gtable__report(struct gtable *t, const struct detector_opts *o, uint64_t now_ns,
		   gtable_probe_fn probe, void *ctx, struct report *out)
{
	struct report_site *rs = NULL;
	size_t cap = 0, n = 0, i;
	bool swept = false;
	uint64_t period, suspects = 0;
	uint32_t si;

	if (!t || !o || !out)
		return -EINVAL;
	for (si = 0; si < t->nsites; si++)
		if (t->sites[si].live || t->sites[si].life.n)
			cap++;
	/* Allocate before touching any state: a failed report changes nothing. */
	if (cap) {
		rs = calloc(cap, sizeof(*rs));
		if (!rs)
			return -ENOMEM;
	}

	if (report__probe_and_censor(t, o, now_ns, probe, ctx))
		report__sweep(t);
	for (si = 0; si < t->nsites; si++) {
		struct site *s = &t->sites[si];

		survival__estimate(&s->life, &s->life_hist, &s->censored, &s->estimate);
		s->threshold = site__unseen_heavy(s) ? 0.0 : detector__threshold(o, &s->estimate);
		s->oldest = 0;
		s->suspects = 0;
		s->settled = 0;
		s->suspect_bytes = 0;
		memset(s->age_hist, 0, sizeof(s->age_hist));
		memset(&s->sample, 0, sizeof(s->sample));
		memset(&s->oldest_any, 0, sizeof(s->oldest_any));
	}
	period = t->have_prev ? sat_sub(now_ns, t->prev_ns) : 0;
	for (i = 0; i < t->nslots; i++)
		if (t->gors[i].goid && report__visit(t, &t->gors[i], o, now_ns, period, probe, ctx))
			swept = true;
	if (!t->park_records && probe)
		report__sample_unparked(t, probe, ctx);
	if (swept)
		report__sweep(t);

	t->report_ns[t->nreports % DETECTOR_MAX_WINDOW] = now_ns;
	t->live_history[t->nreports % DETECTOR_MAX_WINDOW] = t->st.live;
	t->nreports++;
	for (si = 0; si < t->nsites; si++) {
		struct site *s = &t->sites[si];
		enum verdict v = site__advance(t, s, o, now_ns);

		if ((s->live || s->life.n) && n < cap) {
			site__fill(s, v, &rs[n]);
			rs[n].leak_per_min = site__growth_per_min(t, s, o, now_ns);
			rs[n].growth_alarm = detector__growth_alarm(o, rs[n].leak_per_min / 60.0);
			rs[n].spawn_rate = rate__per_sec(s->prev_spawns, s->spawns, period);
			rs[n].exit_rate = rate__per_sec(s->prev_exits, s->exits, period);
			suspects += s->suspects;
			out->hdr.suspect_stack_bytes += s->suspect_bytes;
			n++;
		}
		s->prev_spawns = s->spawns;
		s->prev_exits = s->exits;
	}

	if (!n) {
		free(rs);
		rs = NULL;
	}
	out->sites = rs;
	out->nsites = n;
	out->hdr.live = t->st.live;
	out->hdr.suspects = suspects;
	out->hdr.events = t->st.records;
	out->hdr.evictions = t->st.evicted;
	out->hdr.spawn_rate = rate__per_sec(t->prev_spawns, t->st.spawns, period);
	out->hdr.exit_rate = rate__per_sec(t->prev_exits, t->st.exits, period);
	out->hdr.gc_cycles = t->gc_cycles;
	out->hdr.growth_per_s = gtable__growth_per_s(t, o, now_ns);
	out->hdr.growth_alarm = detector__growth_alarm(o, out->hdr.growth_per_s);
	t->have_prev = true;
	t->prev_ns = now_ns;
	t->prev_spawns = t->st.spawns;
	t->prev_exits = t->st.exits;
	report__sort(out);
	return 0;
}
