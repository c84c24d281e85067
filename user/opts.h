/* Command-line options. */
#ifndef LINGER_OPTS_H
#define LINGER_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "detector.h"

struct opts {
	pid_t pid;
	uint64_t duration_ns; /* 0: until quit or the target exits */
	uint64_t interval_ns; /* between refreshes */
	bool json;
	bool verbose;
	bool io_wait_suspects; /* else "IO wait" is the detector's exempt reason */
	struct detector_opts detector;
	uint32_t max_goroutines;
	uint32_t max_sites;
	uint32_t ringbuf_bytes; /* probes to linger; a power of two */
};

/* Parses argv into o (defaults first). On a usage error prints one line
 * and exits 2, as argp does; --help and --version exit 0. */
void opts__parse(int argc, char **argv, struct opts *o);

/* Parses a duration: "15s", "500ms", "2m", "1h30m", "250us", or a bare
 * number of seconds. Returns 0 or -EINVAL (also for 0 and overflow). */
int opts__parse_duration(const char *s, uint64_t *ns);

#endif
