/* User side of bpf/lifecycle.bpf.c: loads the object, attaches its three
 * uprobes to one target process, drains the ring buffer, reads the drop
 * counters and the creation stacks. */
#ifndef LINGER_LIFECYCLE_USER_H
#define LINGER_LIFECYCLE_USER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lifecycle.h" /* bpf/: the records and per-target facts */

struct lifecycle;

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
	struct lifecycle_site park;
	struct lifecycle_site exit;
	struct lifecycle_site gc; /* end of a GC cycle; offset 0: not counted */
};

struct lifecycle_opts {
	uint32_t ringbuf_bytes; /* power of two, >= page size */
	uint64_t wakeup_bytes;	/* queued bytes that wake the reader */
};

/* Opens, configures and loads the BPF object. Returns NULL with errno set
 * (EPERM without the privileges to load BPF). */
struct lifecycle *lifecycle__new(const struct lifecycle_opts *o, lifecycle_record_fn fn, void *ctx);
/* Detaches every probe and frees everything. Safe on NULL. */
void lifecycle__free(struct lifecycle *lc);

/* Registers the target's facts and attaches the probes to binary (a path
 * such as /proc/PID/exe) for pid only. On failure nothing stays attached.
 * Returns 0 or -errno; *failed_what names the probe that failed. */
int lifecycle__attach(struct lifecycle *lc, pid_t pid, const char *binary,
		      const struct lc_target *t, const struct lifecycle_sites *s,
		      const char **failed_what);

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
