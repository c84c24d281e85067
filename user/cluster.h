/* Creation stacks folded into sites. The kernel hands out one stack id
 * per distinct creation stack, runtime frames included, so one `go`
 * statement reached through different scheduler paths (a timer callback
 * run from findRunnable or from checkTimers) gets several ids. A site is
 * the fingerprint of up to CLUSTER_FRAMES frames of the program's own code
 * (runtime frames skipped); the first stack id seen with a fingerprint
 * stands for all stack ids that share it. */
#ifndef LINGER_CLUSTER_H
#define LINGER_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLUSTER_FRAMES 8

struct cluster;

/* Copies up to max frames of stack_id, innermost first; returns the
 * count, or a negative errno when the stack cannot be read. */
typedef int (*cluster_frames_fn)(void *ctx, int32_t stack_id, uint64_t *pcs, size_t max);
/* True when pc belongs to the program's own code (not the runtime's). */
typedef bool (*cluster_keep_fn)(void *ctx, uint64_t pc);

/* A cluster map for stack ids 0 .. max_stack_ids-1. NULL with errno. */
struct cluster *cluster__new(uint32_t max_stack_ids, cluster_frames_fn frames, cluster_keep_fn keep,
			     void *ctx);
/* Safe on NULL. */
void cluster__free(struct cluster *c);

/* The stack id that stands for stack_id's site. O(1) after the first
 * sight of stack_id, which reads its frames once. Ids out of range,
 * negative ids and unreadable stacks map to themselves. */
int32_t cluster__canonical(struct cluster *c, int32_t stack_id);

#endif
