/* Goroutine lifecycle probes: spawn, park, exit; and, in agent mode, exec.
 *
 * Each probe reads the goroutine's ID from its runtime.g and pushes one
 * fixed-size record (bpf/lifecycle.h) into the ring buffer. They are plain
 * uprobes, never return probes: Go moves goroutine stacks, and a return
 * trampoline on one crashes the target. User space places each probe on an
 * instruction the kernel emulates (a CALL, the prologue's PUSHQ BP or its
 * stack-check branch) because single-stepping costs ~15x more here. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lifecycle.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Wake the reader only once this much is queued; it also polls on a short
 * timeout, so nothing waits long. One wakeup per record would dominate. */
const volatile __u64 wakeup_bytes = 64 * 1024;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct lc_target);
} targets SEC(".maps");

/* Completed GCs per target. Entries are made by user space at attach, so
 * the probe only counts for targets it knows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} gc_cycles SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, LC_STACK_IDS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, LC_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* Creation stacks by spawn key: most spawns reuse one (see lifecycle.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LC_STACK_IDS);
	__type(key, struct lc_spawn_key);
	__type(value, struct lc_spawn_stack);
} spawn_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LC_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1;
}

static __always_inline __u64 submit_flags(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* Reads a u64 field of the target's memory; 0 when the read faults. */
static __always_inline __u64 read_u64(__u64 addr, int *faulted)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (const void *)addr)) {
		*faulted = 1;
		return 0;
	}
	return v;
}

/* The register the attach cookie names (enum lc_reg). All three are
 * loaded before choosing: the verifier refuses a context access at an
 * offset computed at run time. */
static __always_inline __u64 cookie_reg(struct pt_regs *ctx)
{
	__u64 which = bpf_get_attach_cookie(ctx);
	__u64 ax = ctx->ax, bx = ctx->bx, r14 = ctx->r14;

	barrier_var(ax);
	barrier_var(bx);
	barrier_var(r14);
	if (which == LC_REG_RBX)
		return bx;
	if (which == LC_REG_R14)
		return r14;
	return ax;
}

/* In agent mode one set of probes serves every process running a
 * binary; the targets map says which of them linger follows. */
static __always_inline struct lc_target *this_target(__u32 *tgid)
{
	*tgid = bpf_get_current_pid_tgid() >> 32;
	return bpf_map_lookup_elem(&targets, tgid);
}

static __always_inline void fill_header(struct lc_event_header *h, __u32 type, __u32 tgid)
{
	h->type = type;
	h->tgid = tgid;
	h->ts_ns = bpf_ktime_get_ns();
}

/* The creation stack's id: the cached one for this spawn's key, or a
 * fresh walk when the key is new, unreadable, or due a refresh. curg is
 * the goroutine that ran `go`; its saved frame pointer leads through
 * newproc's frame (whose return address is the `go` statement) to the
 * callers above. */
static __always_inline __s32 creation_stack(struct pt_regs *ctx, struct lc_target *t, __u32 tgid,
					    __u64 curg, __u64 gopc)
{
	struct lc_spawn_key key = {.gopc = gopc, .tgid = tgid};
	struct lc_spawn_stack *cached, fresh = {0};
	__u64 frame[2], bp;

	if (!curg || bpf_probe_read_user(&bp, sizeof(bp), (const void *)(curg + t->g_sched_bp_off)))
		goto walk;
	/* newproc's frame, then the function with the `go` statement. */
	if (!bp || bpf_probe_read_user(frame, sizeof(frame), (const void *)bp))
		goto walk;
	bp = frame[0];
	if (!bp || bpf_probe_read_user(frame, sizeof(frame), (const void *)bp))
		goto walk;
	key.caller[0] = frame[1];
	bp = frame[0];
	if (bp && !bpf_probe_read_user(frame, sizeof(frame), (const void *)bp))
		key.caller[1] = frame[1];
	cached = bpf_map_lookup_elem(&spawn_stacks, &key);
	if (cached && cached->stack_id >= 0 && (++cached->uses & (LC_STACK_REFRESH - 1)))
		return cached->stack_id;
	count(LC_CNT_STACK_WALK);
	fresh.stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	fresh.uses = cached ? cached->uses : 1;
	if (fresh.stack_id >= 0)
		bpf_map_update_elem(&spawn_stacks, &key, &fresh, BPF_ANY);
	return fresh.stack_id;
walk:
	count(LC_CNT_STACK_WALK);
	return bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
}

/* g.gopc and g.startpc, with g.ancestors between them in every Go
 * version linger knows: one read where the layout allows (a read costs
 * about as much as the copy of a few cache lines). */
static __always_inline void read_pcs(__u64 g, struct lc_target *t, struct lc_event_spawn *e,
				     int *faulted)
{
	__u64 pcs[3];

	if (t->g_startpc_off == t->g_gopc_off + 2 * sizeof(__u64)) {
		if (bpf_probe_read_user(pcs, sizeof(pcs), (const void *)(g + t->g_gopc_off))) {
			*faulted = 1;
			pcs[0] = pcs[2] = 0;
		}
		e->gopc = pcs[0];
		e->startpc = pcs[2];
		return;
	}
	e->gopc = read_u64(g + t->g_gopc_off, faulted);
	e->startpc = read_u64(g + t->g_startpc_off, faulted);
}

/* At the spawn site we run on g0 (the system stack), the new g is in a
 * register, and the frame-pointer chain still leads through systemstack
 * into the goroutine that ran the `go` statement: a stack taken here is
 * the creation stack with its direct caller intact. */
static __always_inline int handle_spawn(struct pt_regs *ctx)
{
	struct lc_event_spawn *e;
	struct lc_target *t;
	int faulted = 0;
	__u64 newg, m, curg;
	__u32 tgid;

	t = this_target(&tgid);
	if (!t)
		return 0;
	count(LC_CNT_SPAWN);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LC_CNT_DROP);
		return 0;
	}
	newg = cookie_reg(ctx);
	fill_header(&e->hdr, LC_EVENT_SPAWN, tgid);
	e->g_addr = newg;
	e->goid = read_u64(newg + t->g_goid_off, &faulted);
	read_pcs(newg, t, e, &faulted);
	/* R14 is g0 here; g0.m.curg is the goroutine that ran `go`. */
	m = read_u64(ctx->r14 + t->g_m_off, &faulted);
	curg = m ? read_u64(m + t->m_curg_off, &faulted) : 0;
	e->stack_id = creation_stack(ctx, t, tgid, curg, e->gopc);
	e->pad = 0;
	if (faulted)
		count(LC_CNT_READ_FAULT);
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

/* Every gopark ends in mcall(park_m): park_m runs on g0 with the parking
 * g in RAX and its wait reason already stored in it. Unlike gopark, which
 * PGO inlines into chansend and chanrecv, an mcall target stays out of
 * line, so this sees every park. */
static __always_inline int handle_park(struct pt_regs *ctx)
{
	struct lc_event_park *e;
	struct lc_target *t;
	int faulted = 0;
	__u8 reason = 0;
	__u64 gp;
	__u32 tgid;

	t = this_target(&tgid);
	if (!t)
		return 0;
	count(LC_CNT_PARK);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LC_CNT_DROP);
		return 0;
	}
	gp = ctx->ax;
	fill_header(&e->hdr, LC_EVENT_PARK, tgid);
	e->g_addr = gp;
	e->goid = read_u64(gp + t->g_goid_off, &faulted);
	if (bpf_probe_read_user(&reason, sizeof(reason), (const void *)(gp + t->g_waitreason_off)))
		faulted = 1;
	e->wait_reason = reason;
	e->pad = 0;
	if (faulted)
		count(LC_CNT_READ_FAULT);
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

/* goexit1 runs on the exiting goroutine (g in R14), before it is torn
 * down; from Go 1.22 gdestroy (on g0, g in RAX) tears down every
 * goroutine, coroutines included, which never pass through goexit1. */
static __always_inline int handle_exit(struct pt_regs *ctx)
{
	struct lc_event_exit *e;
	struct lc_target *t;
	int faulted = 0;
	__u32 tgid;

	t = this_target(&tgid);
	if (!t)
		return 0;
	count(LC_CNT_EXIT);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LC_CNT_DROP);
		return 0;
	}
	fill_header(&e->hdr, LC_EVENT_EXIT, tgid);
	e->goid = read_u64(cookie_reg(ctx) + t->g_goid_off, &faulted);
	if (faulted)
		count(LC_CNT_READ_FAULT);
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

/* gcMarkTermination ends every GC cycle, a few times a second at most:
 * counted in a map, not worth a record. */
static __always_inline int handle_gc(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 *n = bpf_map_lookup_elem(&gc_cycles, &tgid);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

/* Agent mode: every exec on the node, so that a Go program started
 * after linger is followed too. Userspace decides whether it is Go. */
static __always_inline int handle_exec(void)
{
	struct lc_event_exec *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LC_CNT_DROP);
		return 0;
	}
	fill_header(&e->hdr, LC_EVENT_EXEC, bpf_get_current_pid_tgid() >> 32);
	bpf_ringbuf_submit(e, submit_flags());
	return 0;
}

SEC("uprobe")
int on_spawn(struct pt_regs *ctx)
{
	return handle_spawn(ctx);
}

SEC("uprobe")
int on_park(struct pt_regs *ctx)
{
	return handle_park(ctx);
}

SEC("uprobe")
int on_exit(struct pt_regs *ctx)
{
	return handle_exit(ctx);
}

SEC("uprobe")
int on_gc(struct pt_regs *ctx)
{
	return handle_gc();
}

/* A raw tracepoint: attached through bpf() alone, no tracefs, so the
 * capabilities uprobes need are enough. */
SEC("raw_tp/sched_process_exec")
int on_exec(void *ctx)
{
	return handle_exec();
}
