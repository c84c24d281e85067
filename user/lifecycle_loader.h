/* User side of bpf/lifecycle.bpf.c: loads the object, attaches its
 * uprobes to a binary (for one process, or for every process running it),
 * registers the processes the probes report on, drains the ring buffer,
 * reads the drop counters and the creation stacks. */
#ifndef LINGER_LIFECYCLE_USER_H
#define LINGER_LIFECYCLE_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lifecycle.h" /* bpf/: the records and per-target facts */

struct lifecycle;
/* The uprobes attached to one binary. */
struct lifecycle_probes;

/* Called for every record drained; returning non-zero stops the drain. */
typedef int (*lifecycle_record_fn)(void *ctx, const void *rec, size_t len);

#define LIFECYCLE_MAX_SPAWN_SITES 8

/* One probe: a file offset in the target's binary, and the register
 * that holds the probe's g there (enum lc_reg, the attach cookie). */
struct lifecycle_site {
	uint64_t offset;
	enum lc_reg reg;
};

struct lifecycle_sites {
	struct lifecycle_site spawn[LIFECYCLE_MAX_SPAWN_SITES];
	size_t nspawn;
	/* The park probe, attached only when with_park: by default parked
	 * state is read from the g on demand instead (it is the most
	 * frequent event by far). */
	bool with_park;
	struct lifecycle_site park;
	struct lifecycle_site exit;
	struct lifecycle_site gc; /* end of a GC cycle; offset 0: not counted */
};

struct lifecycle_opts {
	uint32_t ringbuf_bytes; /* power of two, >= page size */
	uint64_t wakeup_bytes;	/* queued bytes that wake the reader */
	uint32_t max_targets;	/* processes registered at once; 0: 1024 */
	bool follow_exec;	/* LC_EVENT_EXEC records for every exec (agent mode) */
	bool perf_uprobes;	/* one perf-event uprobe per site even where the
				 * kernel has multi-uprobe links */
};

/* Opens, configures and loads the BPF object, and with follow_exec
 * attaches the exec tracepoint. Returns NULL with errno set (EPERM
 * without the privileges to load BPF or attach the tracepoint). */
struct lifecycle *lifecycle__new(const struct lifecycle_opts *o, lifecycle_record_fn fn, void *ctx);
/* Detaches the exec tracepoint and frees everything; every probe set
 * must be unprobed first. Safe on NULL. */
void lifecycle__free(struct lifecycle *lc);

/* Attaches the probes of sites to binary (a path such as /proc/PID/exe),
 * for process pid only, or for every process that runs the binary when
 * pid is -1: the probes then report only on processes registered with
 * lifecycle__add_target, and cost the others one map lookup a hit. On
 * failure nothing stays attached, *out is NULL and *failed_what names the
 * probe that failed. Returns 0 or -errno. Free *out with
 * lifecycle__unprobe before lifecycle__free. */
int lifecycle__probe(struct lifecycle *lc, pid_t pid, const char *binary,
		     const struct lifecycle_sites *s, struct lifecycle_probes **out,
		     const char **failed_what);
/* Detaches the probes. Safe on NULL. */
void lifecycle__unprobe(struct lifecycle_probes *p);
/* Takes the spawn and exit probes off (paused), or puts them back, for
 * duty cycling; the park and GC probes stay. Idempotent. Returns 0, or
 * the attach's -errno (the target exited), with the probes then off. */
int lifecycle__pause(struct lifecycle_probes *p, bool paused);

/* Registers a process the probes report on, with its runtime's facts;
 * with count_gc, its GCs are counted from 0 (its binary's probes have a GC
 * site). Returns 0, -E2BIG when max_targets are registered, or -errno;
 * on failure nothing stays registered. */
int lifecycle__add_target(struct lifecycle *lc, pid_t pid, const struct lc_target *t,
			  bool count_gc);
/* Forgets a process: records already queued for it still arrive. */
void lifecycle__remove_target(struct lifecycle *lc, pid_t pid);

/* Waits up to timeout_ms for records and drains all that are queued.
 * Returns the number drained or -errno (-EINTR when a signal came). */
int lifecycle__poll(struct lifecycle *lc, int timeout_ms);

/* Sums the per-CPU counters (enum lc_counter). 0 or -errno. */
int lifecycle__counters(struct lifecycle *lc, uint64_t out[LC_CNT_MAX]);

/* The GCs the target pid completed since attach. Returns 0, or -ENOENT
 * when they are not counted (no GC probe), or another -errno. */
int lifecycle__gc_cycles(struct lifecycle *lc, pid_t pid, uint64_t *out);

/* Copies up to max frames of a creation stack. Returns the frame count or
 * -ENOENT. */
int lifecycle__stack(struct lifecycle *lc, int32_t stack_id, uint64_t *pcs, size_t max);

#endif
