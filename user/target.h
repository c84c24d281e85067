/* One followed process: its goroutine table and sites, its memory read
 * on demand (goroutines alive before attach, parked or not, blocking
 * stacks), and its reports with names filled. Single-process mode has one;
 * agent mode one per process. The probes and the BPF object are the
 * caller's: a target only reads the records it is handed. */
#ifndef LINGER_TARGET_H
#define LINGER_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "image.h"
#include "lifecycle_loader.h"
#include "opts.h"
#include "report.h"

struct target;

/* Sets up following process pid, which runs img (borrowed: it must
 * outlive the target), with lc (borrowed) for creation stacks: the load
 * bias, /proc/PID/mem, the goroutine table, the wait-reason names of img.
 * Registers nothing with lc. Returns NULL with errno set and *e filled. */
struct target *target__new(pid_t pid, struct image *img, struct lifecycle *lc, const struct opts *o,
			   struct attach_error *e);
/* Safe on NULL. */
void target__free(struct target *t);

/* The image the process runs (the one given to target__new). */
struct image *target__image(struct target *t);

/* Marks the start of the run (the probes are attached and registered),
 * then reads the goroutines alive before, from runtime.allgs, through
 * /proc/PID/mem; best effort. Drains lc between batches, so records of
 * this target may be ingested meanwhile. */
void target__seed(struct target *t);

/* Whether the goroutines can be walked (the image has runtime.allgs):
 * the duty cycle needs it. */
bool target__can_walk(const struct target *t);
/* Walks the goroutines while the spawn and exit probes are off (duty
 * cycle): those spawned unseen join the table (as seeded: their spawn
 * time is unknown), those whose exit was missed leave it. Drains lc
 * first. Best effort. */
void target__walk(struct target *t);
/* Applies one ring-buffer record of this target (the hot path: no
 * allocation, no syscall once the tables are sized). */
void target__ingest(struct target *t, const void *rec, size_t len);

/* Fills one report: numbers from the goroutine table, names from the
 * image, the runtime's own sites dropped; drops from lc's counters. free
 * r's previous sites first (report__free). 0 or -errno. */
int target__report(struct target *t, struct report *r, bool final, bool target_exited);

/* ui's detail callback (ctx is the target). */
int target__detail(void *ctx, const struct report_site *site, struct site_detail *out);

/* True when the process has exec'd: its address space is another image
 * now, and the probes and goroutines described are gone with the old. */
bool target__execed(struct target *t);

/* Whether a refresh is due now, or held back because the process is
 * stopped (SIGSTOP, a debugger), and for the first tick after. */
bool target__refresh_due(struct target *t);

/* True when the process is gone, or a zombie. */
bool target__dead(pid_t pid);

#endif
