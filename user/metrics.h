/* Prometheus text exposition (format 0.0.4) of agent mode: one series per
 * followed process and site, and the agent's own counters. Pure
 * rendering: the agent gathers the numbers, the HTTP server serves the
 * text. */
#ifndef LINGER_METRICS_H
#define LINGER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "image.h"
#include "report.h"

/* One followed process and its last report (names filled). */
struct metrics_proc {
	const struct report *r; /* r->hdr.pid, exe, go_version, sites */
	const char *container;	/* container id, "" on the host */
	const char *cgroup;	/* its cgroup path */
};

/* The agent's own numbers; counters are cumulative since start. */
struct metrics_agent {
	uint64_t attached;	     /* processes followed now */
	uint64_t binaries;	     /* distinct binaries probed now */
	uint64_t max_procs;	     /* --max-procs */
	uint64_t events;	     /* ring-buffer records ingested */
	uint64_t drops;		     /* records the ring buffer had no room for */
	uint64_t read_faults;	     /* reads of a g the probes could not make */
	uint64_t evictions;	     /* goroutines or sites the tables had no room for */
	uint64_t exited;	     /* processes forgotten after they exited or exec'd */
	uint64_t not_go;	     /* processes looked at that are not Go programs */
	uint64_t filtered;	     /* Go programs --exe left out */
	uint64_t failures[AF_COUNT]; /* attach failures by reason (AF_NOT_GO unused) */
};

/* Appends the exposition to out: per site (labels pid, exe, container,
 * start_func, go_site "func file:line"; sites of one process with the same
 * labels summed, their verdict the most severe) linger_site_live_goroutines,
 * linger_site_suspects, linger_site_settled_suspects,
 * linger_site_exits_total, linger_site_mean_lifetime_seconds (sites with
 * exits only) and linger_site_verdict (one series per verdict, 1 for the
 * site's); per
 * process linger_process_info (with go_version and cgroup); then the
 * agent's series, attach failures labelled by reason. Label values are
 * escaped (backslash, double quote, newline). Returns 0, or -ENOMEM. */
int metrics__render(const struct metrics_proc *procs, size_t n, const struct metrics_agent *a,
		    struct buf *out);

#endif
