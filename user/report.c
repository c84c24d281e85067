/* Report helpers shared by the model and the views. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

const char *verdict__name(enum verdict v)
{
	switch (v) {
	case VERDICT_WARMING:
		return "warming";
	case VERDICT_OK:
		return "ok";
	case VERDICT_GROWING:
		return "growing";
	case VERDICT_LEAK:
		return "leak";
	}
	return "unknown";
}

/* Findings first; warming and ok share a rank, the counts order them. */
static int verdict__rank(enum verdict v)
{
	switch (v) {
	case VERDICT_LEAK:
		return 2;
	case VERDICT_GROWING:
		return 1;
	default:
		return 0;
	}
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return (a < b) - (a > b);
}

static int site__cmp(const void *pa, const void *pb)
{
	const struct report_site *a = pa, *b = pb;
	int ra = verdict__rank(a->verdict), rb = verdict__rank(b->verdict);
	int c;

	if (ra != rb)
		return ra > rb ? -1 : 1;
	c = cmp_u64_desc(a->suspects, b->suspects);
	if (c)
		return c;
	c = cmp_u64_desc(a->live, b->live);
	if (c)
		return c;
	return (a->key > b->key) - (a->key < b->key);
}

void report__sort(struct report *r)
{
	if (r->nsites > 1)
		qsort(r->sites, r->nsites, sizeof(*r->sites), site__cmp);
}

bool report__has_findings(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nsites; i++)
		if (r->sites[i].verdict == VERDICT_LEAK || r->sites[i].verdict == VERDICT_GROWING)
			return true;
	return false;
}

void report__free(struct report *r)
{
	if (!r)
		return;
	free(r->sites);
	memset(r, 0, sizeof(*r));
}

unsigned report__age_bucket(uint64_t age_ns)
{
	uint64_t bound = 1000000; /* 1 ms, then x10 up to 10 s, then 1 m and 10 m */
	unsigned b;

	for (b = 0; b < 5; b++, bound *= 10)
		if (age_ns < bound)
			return b;
	if (age_ns < 60ULL * 1000000000ULL)
		return 5;
	if (age_ns < 600ULL * 1000000000ULL)
		return 6;
	return 7;
}
