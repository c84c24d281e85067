/* Stack ids to sites by user-code fingerprint. */
#include "cluster.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h" /* LC_STACK_DEPTH */

struct fingerprint {
	uint64_t pcs[CLUSTER_FRAMES];
	uint32_t n;
	int32_t canonical; /* -1: empty slot */
};

struct cluster {
	int32_t *by_id; /* stack id -> canonical id; -2: not seen yet */
	uint32_t nids;
	struct fingerprint *slots; /* open addressing, linear probing */
	uint32_t nslots;	   /* power of two, >= 2 * nids */
	cluster_frames_fn frames;
	cluster_keep_fn keep;
	void *ctx;
};

#define UNSEEN (-2)

struct cluster *cluster__new(uint32_t max_stack_ids, cluster_frames_fn frames, cluster_keep_fn keep,
			     void *ctx)
{
	struct cluster *c;

	if (!max_stack_ids || max_stack_ids > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->nids = max_stack_ids;
	c->nslots = 1;
	while (c->nslots < 2 * max_stack_ids)
		c->nslots <<= 1;
	c->by_id = malloc(sizeof(*c->by_id) * max_stack_ids);
	c->slots = malloc(sizeof(*c->slots) * c->nslots);
	if (!c->by_id || !c->slots) {
		cluster__free(c);
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < max_stack_ids; i++)
		c->by_id[i] = UNSEEN;
	for (uint32_t i = 0; i < c->nslots; i++)
		c->slots[i].canonical = -1;
	c->frames = frames;
	c->keep = keep;
	c->ctx = ctx;
	return c;
}

void cluster__free(struct cluster *c)
{
	if (!c)
		return;
	free(c->by_id);
	free(c->slots);
	free(c);
}

static uint64_t fingerprint__hash(const struct fingerprint *f)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ f->n;

	for (uint32_t i = 0; i < f->n; i++) {
		h ^= f->pcs[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

/* The first run of the program's own frames past the runtime's spawn
 * frames, or all frames when the stack has none (a goroutine the runtime
 * starts for itself). The run ends at the next runtime frame: a goroutine
 * that a timer starts from the scheduler on g0 has, beyond that frame,
 * whatever goroutine happened to park there, which says nothing about
 * the site. */
static int fingerprint__of(struct cluster *c, int32_t stack_id, struct fingerprint *f)
{
	uint64_t pcs[LC_STACK_DEPTH];
	int n = c->frames(c->ctx, stack_id, pcs, LC_STACK_DEPTH);
	int i;

	if (n <= 0)
		return n ? n : -ENOENT;
	f->n = 0;
	i = 0;
	while (i < n && !c->keep(c->ctx, pcs[i]))
		i++;
	while (i < n && f->n < CLUSTER_FRAMES && c->keep(c->ctx, pcs[i]))
		f->pcs[f->n++] = pcs[i++];
	if (!f->n)
		for (i = 0; i < n && f->n < CLUSTER_FRAMES; i++)
			f->pcs[f->n++] = pcs[i];
	return 0;
}

int32_t cluster__canonical(struct cluster *c, int32_t stack_id)
{
	struct fingerprint f;
	uint32_t mask, i;

	if (stack_id < 0 || (uint32_t)stack_id >= c->nids)
		return stack_id;
	if (c->by_id[stack_id] != UNSEEN)
		return c->by_id[stack_id];
	if (fingerprint__of(c, stack_id, &f)) {
		c->by_id[stack_id] = stack_id;
		return stack_id;
	}
	mask = c->nslots - 1;
	/* Never full: at most nids fingerprints in 2 * nids slots or more. */
	for (i = (uint32_t)fingerprint__hash(&f) & mask;; i = (i + 1) & mask) {
		struct fingerprint *s = &c->slots[i];

		if (s->canonical < 0) {
			f.canonical = stack_id;
			*s = f;
			break;
		}
		if (s->n == f.n && !memcmp(s->pcs, f.pcs, sizeof(f.pcs[0]) * f.n))
			break;
	}
	c->by_id[stack_id] = c->slots[i].canonical;
	return c->by_id[stack_id];
}
