/* Command-line options. */
#ifndef LINGER_OPTS_H
#define LINGER_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "detector.h"
#include "duty.h"

/* At most this many --exe patterns. */
#define OPTS_MAX_EXE 16

struct opts {
	pid_t pid;
	bool all;	      /* agent mode: every Go process of the node */
	char listen_host[64]; /* --listen: an IPv4 or IPv6 literal, "" for none */
	uint16_t listen_port;
	uint32_t max_procs;	       /* processes followed at once in agent mode */
	uint64_t attach_delay_ns;      /* how long a new process must live before attach */
	const char *exe[OPTS_MAX_EXE]; /* globs on executable paths; none: every Go program */
	size_t nexe;
	const char *agent_only; /* an agent option seen (for the error without --all) */
	uint64_t duration_ns;	/* 0: until quit or the target exits */
	uint64_t interval_ns;	/* between refreshes */
	bool json;
	bool verbose;
	bool park_probe;       /* every park event, not parked state read on demand */
	bool perf_uprobes;     /* perf-event uprobes even where multi-uprobe links work */
	bool io_wait_suspects; /* else "IO wait" is the detector's exempt reason */
	struct detector_opts detector;
	struct duty_opts duty;
	uint32_t max_goroutines;
	bool max_goroutines_set; /* given on the command line */
	uint32_t max_sites;
	uint32_t ringbuf_bytes;	 /* probes to linger; a power of two */
	const char *record_path; /* NULL: no recording */
};

/* Parses argv into o (defaults first). On a usage error prints one line
 * and exits 2, as argp does; --help and --version exit 0. */
void opts__parse(int argc, char **argv, struct opts *o);

/* Parses a listen address, "HOST:PORT" with HOST an IPv4 literal or an
 * IPv6 one in brackets ("[::1]:9464"), PORT 1 to 65535. host receives the
 * literal without brackets (size host_size). Returns 0 or -EINVAL. */
int opts__parse_listen(const char *s, char *host, size_t host_size, uint16_t *port);

/* Parses a duration: "15s", "500ms", "2m", "1h30m", "250us", or a bare
 * number of seconds. Returns 0 or -EINVAL (also for 0 and overflow). */
int opts__parse_duration(const char *s, uint64_t *ns);

#endif
