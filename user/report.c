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
