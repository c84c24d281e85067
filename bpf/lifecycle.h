/* Records and per-target facts shared by bpf/lifecycle.bpf.c and
 * user/lifecycle.c. Fixed-width fields only, no pointers: the same bytes
 * are written by the kernel side and decoded by the user side. Every record
 * starts with its type and the target's tgid. */
#ifndef LINGER_LIFECYCLE_H
#define LINGER_LIFECYCLE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Frames kept per creation stack. Enough for the runtime's own 2-3 spawn
 * frames plus the user frames that tell two `go` call paths apart. */
#define LC_STACK_DEPTH 16
/* Entries of the stack map: every stack id is below it. */
#define LC_STACK_IDS 16384
/* A spawn takes a fresh creation stack once in this many spawns with the
 * same key (struct lc_spawn_key), and reuses the cached stack id between:
 * a stack walk costs twice a probe hit. A power of two. */
#define LC_STACK_REFRESH 256

enum lc_event_type {
	LC_EVENT_SPAWN = 1,
	LC_EVENT_PARK = 2,
	LC_EVENT_EXIT = 3,
	LC_EVENT_EXEC = 4, /* a process exec'd (agent mode): maybe a Go program to follow */
};

/* Which register holds the g a probe is about, passed as the probe's
 * attach cookie: a spawn probe's new g is in RBX at the CALL runqput in
 * newproc.func1 and in RAX after newproc1 returns; an exit probe's g is in
 * R14 at goexit1 (on the goroutine) and in RAX at gdestroy (on g0). */
enum lc_reg {
	LC_REG_RAX = 0,
	LC_REG_RBX = 1,
	LC_REG_R14 = 2,
};

/* Indexes into the per-CPU counters map. */
enum lc_counter {
	LC_CNT_SPAWN = 0,
	LC_CNT_PARK,
	LC_CNT_EXIT,
	LC_CNT_DROP,	   /* ring buffer full: record lost */
	LC_CNT_READ_FAULT, /* a read of the target's g failed */
	LC_CNT_STACK_WALK, /* spawns that walked the stack (the rest hit the cache) */
	LC_CNT_MAX,
};

struct lc_event_header {
	__u32 type;
	__u32 tgid;
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};

struct lc_event_spawn {
	struct lc_event_header hdr;
	__u64 goid;
	__u64 g_addr;	/* the runtime.g of the new goroutine (reused after exit) */
	__u64 gopc;	/* return address of the `go` statement's call */
	__u64 startpc;	/* the goroutine's start function (often a wrapper) */
	__s32 stack_id; /* creation stack in the stacks map; <0 when none */
	__u32 pad;
};

struct lc_event_park {
	struct lc_event_header hdr;
	__u64 goid;
	__u64 g_addr;
	__u32 wait_reason; /* the runtime's waitReason, version-specific number */
	__u32 pad;
};

struct lc_event_exit {
	struct lc_event_header hdr;
	__u64 goid;
};

/* Any process, not only targets: hdr.tgid is the process that exec'd. */
struct lc_event_exec {
	struct lc_event_header hdr;
};

/* What the probes need to know about one target; keyed by tgid so one
 * loaded object can serve many processes. Offsets are in bytes. */
struct lc_target {
	__u32 g_goid_off;
	__u32 g_gopc_off;
	__u32 g_startpc_off;
	__u32 g_waitreason_off;
	__u32 g_m_off;	  /* g.m */
	__u32 m_curg_off; /* m.curg: the user g that ran `go` at spawn */
	/* g.sched.bp: systemstack saves the goroutine's frame pointer there
	 * before it switches to g0, so at spawn it is runtime.newproc's. */
	__u32 g_sched_bp_off;
	__u32 pad;
};

/* What a cached creation stack is keyed by: the `go` statement and the
 * two return addresses above the function that holds it, read through
 * the creating goroutine's frame pointers. Two call paths that differ
 * only deeper than that share a stack id between refreshes. */
struct lc_spawn_key {
	__u64 gopc;
	__u64 caller[2];
	__u32 tgid;
	__u32 pad;
};

struct lc_spawn_stack {
	__s32 stack_id;
	__u32 uses;
};

#endif
