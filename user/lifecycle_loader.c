/* Loads bpf/lifecycle.bpf.c, attaches its probes to binaries and keeps
 * the map of the processes they report on. */
#include "lifecycle_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.skel.h"
#include "log.h"

/* Spawn sites and one exit site: the probes lifecycle__pause takes off. */
#define MAX_LINKS (LIFECYCLE_MAX_SPAWN_SITES + 1)

struct lifecycle {
	struct lifecycle_bpf *skel; /* keeps the exec tracepoint's link */
	struct ring_buffer *rb;
	lifecycle_record_fn fn;
	void *ctx;
};

struct lifecycle_probes {
	/* A program attached at several offsets has several links; the
	 * skeleton keeps one per program, so they live here. links[0] is
	 * the exit probe's, the spawn probes' follow. */
	struct bpf_link *links[MAX_LINKS];
	size_t nlinks;
	/* Attached as long as the probes are: park (--park-probe only) and
	 * the end of each GC cycle (rare). */
	struct bpf_link *park;
	struct bpf_link *gc;
	/* What lifecycle__probe was given, to attach again after a pause. */
	struct lifecycle *lc;
	pid_t pid;
	char binary[64];
	struct lifecycle_sites sites;
};

static int on_ringbuf(void *ctx, void *data, size_t len)
{
	struct lifecycle *lc = ctx;

	return lc->fn(lc->ctx, data, len);
}

struct lifecycle *lifecycle__new(const struct lifecycle_opts *o, lifecycle_record_fn fn, void *ctx)
{
	struct lifecycle *lc;
	int err;

	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return NULL;
	lc->fn = fn;
	lc->ctx = ctx;
	lc->skel = lifecycle_bpf__open();
	if (!lc->skel) {
		err = -errno;
		goto cleanup;
	}
	lc->skel->rodata->wakeup_bytes = o->wakeup_bytes;
	err = bpf_map__set_max_entries(lc->skel->maps.events, o->ringbuf_bytes);
	if (!err && o->max_targets)
		err = bpf_map__set_max_entries(lc->skel->maps.targets, o->max_targets);
	if (!err && o->max_targets)
		err = bpf_map__set_max_entries(lc->skel->maps.gc_cycles, o->max_targets);
	if (!err && !o->follow_exec)
		err = bpf_program__set_autoload(lc->skel->progs.on_exec, false);
	if (err)
		goto cleanup;
	err = lifecycle_bpf__load(lc->skel);
	if (err)
		goto cleanup;
	if (o->follow_exec) {
		lc->skel->links.on_exec = bpf_program__attach(lc->skel->progs.on_exec);
		if (!lc->skel->links.on_exec) {
			err = -errno;
			goto cleanup;
		}
	}
	lc->rb = ring_buffer__new(bpf_map__fd(lc->skel->maps.events), on_ringbuf, lc, NULL);
	if (!lc->rb) {
		err = -errno;
		goto cleanup;
	}
	return lc;
cleanup:
	lifecycle__free(lc);
	errno = -err;
	return NULL;
}

void lifecycle__free(struct lifecycle *lc)
{
	if (!lc)
		return;
	ring_buffer__free(lc->rb);
	lifecycle_bpf__destroy(lc->skel);
	free(lc);
}

static struct bpf_link *attach_one(struct lifecycle_probes *p, struct bpf_program *prog,
				   const struct lifecycle_site *site)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = site->reg);

	return bpf_program__attach_uprobe_opts(prog, p->pid, p->binary, (size_t)site->offset,
					       &opts);
}

/* Spawn probes first: the exit probe stays on until no spawn can be seen
 * whose exit it would miss (a detach takes milliseconds, thousands of
 * spawns on a busy target). */
static void detach_cycled(struct lifecycle_probes *p)
{
	while (p->nlinks)
		bpf_link__destroy(p->links[--p->nlinks]);
}

/* Attaches the exit probe, then the spawn probes; on failure none stays
 * attached. */
static int attach_cycled(struct lifecycle_probes *p, const char **failed_what)
{
	const struct lifecycle_sites *s = &p->sites;
	struct bpf_link *link;

	*failed_what = "exit probe";
	for (size_t i = 0; i <= s->nspawn; i++) {
		link = i == 0 ? attach_one(p, p->lc->skel->progs.on_exit, &s->exit)
			      : attach_one(p, p->lc->skel->progs.on_spawn, &s->spawn[i - 1]);
		if (!link) {
			int err = -errno;

			detach_cycled(p);
			return err;
		}
		p->links[p->nlinks++] = link;
		*failed_what = "spawn probe";
	}
	*failed_what = NULL;
	return 0;
}

int lifecycle__probe(struct lifecycle *lc, pid_t pid, const char *binary,
		     const struct lifecycle_sites *s, struct lifecycle_probes **out,
		     const char **failed_what)
{
	struct lifecycle_probes *p;
	int err;

	*out = NULL;
	*failed_what = "probes";
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (s->nspawn > LIFECYCLE_MAX_SPAWN_SITES ||
	    snprintf(p->binary, sizeof(p->binary), "%s", binary) >= (int)sizeof(p->binary)) {
		err = -E2BIG;
		goto cleanup;
	}
	p->lc = lc;
	p->pid = pid;
	p->sites = *s;
	err = attach_cycled(p, failed_what);
	if (err)
		goto cleanup;
	if (s->with_park) {
		*failed_what = "park probe";
		p->park = attach_one(p, lc->skel->progs.on_park, &s->park);
		if (!p->park) {
			err = -errno;
			goto cleanup;
		}
	}
	if (s->gc.offset) {
		*failed_what = "GC probe";
		p->gc = attach_one(p, lc->skel->progs.on_gc, &s->gc);
		if (!p->gc) {
			err = -errno;
			goto cleanup;
		}
	}
	*failed_what = NULL;
	*out = p;
	return 0;
cleanup:
	lifecycle__unprobe(p);
	return err;
}

int lifecycle__pause(struct lifecycle_probes *p, bool paused)
{
	const char *what;

	if (paused) {
		detach_cycled(p);
		return 0;
	}
	return p->nlinks ? 0 : attach_cycled(p, &what);
}

void lifecycle__unprobe(struct lifecycle_probes *p)
{
	if (!p)
		return;
	detach_cycled(p);
	bpf_link__destroy(p->park);
	bpf_link__destroy(p->gc);
	free(p);
}

int lifecycle__add_target(struct lifecycle *lc, pid_t pid, const struct lc_target *t, bool count_gc)
{
	__u32 tgid = (__u32)pid;
	__u64 zero = 0;
	int err = 0;

	if (count_gc)
		err = bpf_map__update_elem(lc->skel->maps.gc_cycles, &tgid, sizeof(tgid), &zero,
					   sizeof(zero), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(lc->skel->maps.targets, &tgid, sizeof(tgid), t,
					   sizeof(*t), BPF_ANY);
	if (err)
		bpf_map__delete_elem(lc->skel->maps.gc_cycles, &tgid, sizeof(tgid), 0);
	return err == -E2BIG || err == -ENOSPC ? -E2BIG : err;
}

void lifecycle__remove_target(struct lifecycle *lc, pid_t pid)
{
	__u32 tgid = (__u32)pid;

	/* -ENOENT (never added) is the only failure, and harmless. */
	bpf_map__delete_elem(lc->skel->maps.targets, &tgid, sizeof(tgid), 0);
	bpf_map__delete_elem(lc->skel->maps.gc_cycles, &tgid, sizeof(tgid), 0);
}

int lifecycle__poll(struct lifecycle *lc, int timeout_ms)
{
	int n = ring_buffer__poll(lc->rb, timeout_ms);
	int more;

	if (n < 0)
		return n;
	/* The probes wake us only once wakeup_bytes are queued, so a timed
	 * out wait still has records to take. */
	more = ring_buffer__consume(lc->rb);
	return more < 0 ? more : n + more;
}

int lifecycle__counters(struct lifecycle *lc, uint64_t out[LC_CNT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	int err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < LC_CNT_MAX; k++) {
		err = bpf_map__lookup_elem(lc->skel->maps.counters, &k, sizeof(k), vals,
					   sizeof(*vals) * (size_t)ncpu, 0);
		if (err)
			goto cleanup;
		out[k] = 0;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
cleanup:
	free(vals);
	return err;
}

int lifecycle__gc_cycles(struct lifecycle *lc, pid_t pid, uint64_t *out)
{
	__u32 tgid = (__u32)pid;
	__u64 n;

	if (bpf_map__lookup_elem(lc->skel->maps.gc_cycles, &tgid, sizeof(tgid), &n, sizeof(n), 0))
		return -errno;
	*out = n;
	return 0;
}

int lifecycle__stack(struct lifecycle *lc, int32_t stack_id, uint64_t *pcs, size_t max)
{
	__u64 frames[LC_STACK_DEPTH] = {0};
	__u32 key = (__u32)stack_id;
	size_t n = 0;

	if (stack_id < 0)
		return -ENOENT;
	if (bpf_map__lookup_elem(lc->skel->maps.stacks, &key, sizeof(key), frames, sizeof(frames),
				 0))
		return -ENOENT;
	while (n < LC_STACK_DEPTH && n < max && frames[n]) {
		pcs[n] = frames[n];
		n++;
	}
	return (int)n;
}
