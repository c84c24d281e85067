/* Names of the Go runtime's waitReason values, per Go version, for
 * binaries whose own runtime.waitReasonStrings cannot be read (stripped
 * of symbols). The numbering changes between releases: 1.20 drops one
 * reason, 1.24 and 1.25 insert reasons in the middle, 1.26 reorders. */
#ifndef LINGER_WAITREASON_H
#define LINGER_WAITREASON_H

#include <stdint.h>

/* Returns the runtime's own string for reason in Go 1.go_minor ("chan
 * receive", "select", "sync.WaitGroup.Wait", and "" for reason 0), a
 * static string. NULL when the version is outside 1.17-1.27 or reason is
 * past the end of that version's list. */
const char *waitreason__name(int go_minor, uint32_t reason);

#endif
