/* Agent mode (--all): follows every Go program on the node, those running
 * at start (a /proc scan) and those started later (the exec tracepoint),
 * forgets each when it exits or exec's; exports Prometheus metrics on
 * --listen and, with --json, logs attaches, detaches, new suspect sites
 * and verdict changes as JSON lines. */
#ifndef LINGER_AGENT_H
#define LINGER_AGENT_H

#include "opts.h"

/* Runs until a signal (SIGINT, SIGTERM) or the end of --duration; nothing
 * stays attached when it returns. Returns the process exit status: 0, or
 * 2 on an error that stops the agent (a missing capability, the kernel
 * refusing the BPF programs, the listen address taken), said on stderr in
 * one line. A process it cannot follow is counted, never fatal. */
int agent__run(const struct opts *o);

#endif
