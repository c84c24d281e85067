/* Loads bpf/lifecycle.bpf.c, attaches its probes to binaries and keeps
 * the map of the processes they report on. */
#include "lifecycle_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.skel.h"
#include "log.h"

/* Spawn sites and one exit site: the probes lifecycle__pause takes off. */
#define MAX_LINKS (LIFECYCLE_MAX_SPAWN_SITES + 1)

/* Not in the bpf.h of every distribution: multi-uprobe links came with
 * Linux 6.6. */
#define LC_TRACE_UPROBE_MULTI 48

struct lifecycle {
	struct lifecycle_bpf *skel; /* keeps the exec tracepoint's link */
	struct ring_buffer *rb;
	lifecycle_record_fn fn;
	void *ctx;
	bool multi; /* probes attach as multi-uprobe links */
};

/* Probes attached by one program: a multi-uprobe link (one fd for all its
 * sites) or, on kernels without them, one perf-event link per site. */
struct plink {
	int fd;
	struct bpf_link *perf[MAX_LINKS];
	size_t nperf;
};

struct lifecycle_probes {
	/* exit then spawn: the pair the duty cycle takes off and puts back */
	struct plink cycled[2];
	size_t ncycled;
	/* Attached as long as the probes are: park (--park-probe only) and
	 * the end of each GC cycle (rare). */
	struct plink park;
	struct plink gc;
	/* Links a pause is destroying, one thread each (detach_cycled). */
	pthread_t retiring[2];
	size_t nretiring;
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

/* BPF_LINK_CREATE's arguments for a multi-uprobe link, laid out as the
 * kernel reads them (union bpf_attr, link_create). */
struct uprobe_multi_attr {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__aligned_u64 path;
	__aligned_u64 offsets;
	__aligned_u64 ref_ctr_offsets;
	__aligned_u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
};

/* Returns the link's fd or -errno. pid 0: every process. */
static int uprobe_multi_link(int prog_fd, const char *path, const __u64 *offsets,
			     const __u64 *cookies, __u32 cnt, int pid)
{
	struct uprobe_multi_attr m = {.prog_fd = (__u32)prog_fd,
				      .attach_type = LC_TRACE_UPROBE_MULTI,
				      .path = (__u64)(uintptr_t)path,
				      .offsets = (__u64)(uintptr_t)offsets,
				      .cookies = (__u64)(uintptr_t)cookies,
				      .cnt = cnt,
				      .pid = (__u32)pid};
	union bpf_attr attr;
	int fd;

	_Static_assert(sizeof(m) <= sizeof(attr), "uprobe_multi attributes fit bpf_attr");
	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, &m, sizeof(m));
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* Whether this kernel has multi-uprobe links that filter by process: a
 * link on "/" (not a regular file) fails with EBADF where they exist;
 * with an invalid pid, kernels whose filter works on processes (rather
 * than on one thread, as the first ones did) refuse it with EINVAL before
 * looking at the path. */
static bool uprobe_multi_works(void)
{
	const struct bpf_insn ret0[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = LC_TRACE_UPROBE_MULTI);
	__u64 offset = 0;
	int prog, err1, err2;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "lc_probe", "GPL", ret0, 2, &opts);
	if (prog < 0)
		return false;
	err1 = uprobe_multi_link(prog, "/", &offset, NULL, 1, 0);
	err2 = uprobe_multi_link(prog, "/", &offset, NULL, 1, -1);
	if (err1 >= 0)
		close(err1);
	if (err2 >= 0)
		close(err2);
	close(prog);
	return err1 == -EBADF && err2 == -EINVAL;
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
	lc->multi = !o->perf_uprobes && uprobe_multi_works();
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
	if (lc->multi) {
		struct bpf_program *uprobes[] = {lc->skel->progs.on_spawn, lc->skel->progs.on_exit,
						 lc->skel->progs.on_park, lc->skel->progs.on_gc};

		for (size_t i = 0; !err && i < sizeof(uprobes) / sizeof(uprobes[0]); i++)
			err = bpf_program__set_expected_attach_type(uprobes[i],
								    LC_TRACE_UPROBE_MULTI);
	}
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
	debug("probes attach as %s", lc->multi ? "multi-uprobe links" : "perf-event uprobes");
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

static void plink__init(struct plink *l)
{
	l->fd = -1;
	l->nperf = 0;
}

static void plink__destroy(struct plink *l)
{
	if (l->fd >= 0)
		close(l->fd);
	while (l->nperf)
		bpf_link__destroy(l->perf[--l->nperf]);
	l->fd = -1;
}

/* Attaches prog at n sites of the binary. Returns 0 or -errno, with
 * nothing attached on failure. */
static int plink__attach(struct plink *l, struct lifecycle_probes *p, struct bpf_program *prog,
			 const struct lifecycle_site *sites, size_t n)
{
	__u64 offsets[MAX_LINKS], cookies[MAX_LINKS];
	int fd;

	plink__init(l);
	if (n > MAX_LINKS)
		return -E2BIG;
	if (p->lc->multi) {
		for (size_t i = 0; i < n; i++) {
			offsets[i] = sites[i].offset;
			cookies[i] = sites[i].reg;
		}
		fd = uprobe_multi_link(bpf_program__fd(prog), p->binary, offsets, cookies, (__u32)n,
				       p->pid < 0 ? 0 : p->pid);
		if (fd < 0)
			return fd;
		l->fd = fd;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = sites[i].reg);
		struct bpf_link *link = bpf_program__attach_uprobe_opts(
		    prog, p->pid, p->binary, (size_t)sites[i].offset, &opts);

		if (!link) {
			int err = -errno;

			plink__destroy(l);
			return err;
		}
		l->perf[l->nperf++] = link;
	}
	return 0;
}

static void *destroy_plink(void *l)
{
	plink__destroy(l);
	return NULL;
}

/* Waits for the links of the last pause to be gone. */
static void join_retiring(struct lifecycle_probes *p)
{
	while (p->nretiring)
		pthread_join(p->retiring[--p->nretiring], NULL);
}

/* Destroying a uprobe link removes its breakpoints at once, then waits
 * out a kernel grace period (0.1-0.3 s here); perf-event uprobes even take
 * a lock across that wait, so their breakpoints go one grace period after
 * another. Meanwhile the probes not yet removed fire at full cost, and a
 * loop that waited would stop draining the ring buffer: so the exit and
 * the spawn probes go in a thread each, and lifecycle__pause returns at
 * once (the next attach or unprobe joins them). With block, or when no
 * thread can start, they go here and now. */
static void detach_cycled(struct lifecycle_probes *p, bool block)
{
	sigset_t all, old;

	join_retiring(p);
	sigfillset(&all);
	/* The threads inherit the mask: signals stay with the main loop. */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	while (p->ncycled) {
		struct plink *l = &p->cycled[--p->ncycled];

		if (block || pthread_create(&p->retiring[p->nretiring], NULL, destroy_plink, l))
			plink__destroy(l);
		else
			p->nretiring++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (block)
		join_retiring(p);
}

/* Attaches the exit probe, then the spawn probes: the exit probe is on
 * before any spawn it should see the end of. On failure none stays
 * attached. */
static int attach_cycled(struct lifecycle_probes *p, const char **failed_what)
{
	const struct lifecycle_sites *s = &p->sites;
	int err;

	join_retiring(p);
	*failed_what = "exit probe";
	err = plink__attach(&p->cycled[0], p, p->lc->skel->progs.on_exit, &s->exit, 1);
	if (err)
		return err;
	p->ncycled = 1;
	*failed_what = "spawn probe";
	err = plink__attach(&p->cycled[1], p, p->lc->skel->progs.on_spawn, s->spawn, s->nspawn);
	if (err) {
		detach_cycled(p, true);
		return err;
	}
	p->ncycled = 2;
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
	plink__init(&p->park);
	plink__init(&p->gc);
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
		err = plink__attach(&p->park, p, lc->skel->progs.on_park, &s->park, 1);
		if (err)
			goto cleanup;
	}
	if (s->gc.offset) {
		*failed_what = "GC probe";
		err = plink__attach(&p->gc, p, lc->skel->progs.on_gc, &s->gc, 1);
		if (err)
			goto cleanup;
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
		detach_cycled(p, false);
		return 0;
	}
	return p->ncycled ? 0 : attach_cycled(p, &what);
}

void lifecycle__unprobe(struct lifecycle_probes *p)
{
	if (!p)
		return;
	detach_cycled(p, true);
	plink__destroy(&p->park);
	plink__destroy(&p->gc);
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
