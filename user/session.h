/* One run of linger against one target: check the target, attach, drain
 * events, refresh the report, render it, detach. */
#ifndef LINGER_SESSION_H
#define LINGER_SESSION_H

#include <signal.h>
#include <stdint.h>

#include "opts.h"

/* Set by SIGINT/SIGTERM: the run ends with a final report. */
extern volatile sig_atomic_t exiting;

/* Runs until the duration ends, the user quits, a signal comes or the
 * target exits. Returns the process exit status: 0 no findings in the
 * final report, 1 findings, 2 an error (already reported on stderr as
 * one line). Nothing stays attached when it returns. */
int session__run(const struct opts *o);

/* Says on stderr, in one line, why lifecycle__new failed with err: the
 * capabilities missing, or the kernel refusing the programs. */
void session__warn_lifecycle(int err);

/* The ring-buffer fill that wakes linger, for a buffer of ringbuf_bytes. */
uint64_t session__wakeup_bytes(uint32_t ringbuf_bytes);

#endif
