/* The capabilities linger needs, and which of them a process lacks. */
#ifndef LINGER_CAPS_H
#define LINGER_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* Bits of CapEff (linux/capability.h). */
#define CAPS_SYS_PTRACE 19
#define CAPS_SYS_ADMIN	21
#define CAPS_PERFMON	38
#define CAPS_BPF	39

/* The effective capability set of this process, from the CapEff line of
 * /proc/self/status. 0 or -errno. */
int caps__effective(uint64_t *eff);

/* Writes into out (size n) the names of the capabilities linger needs and
 * eff lacks, comma-separated ("CAP_PERFMON, CAP_SYS_PTRACE"): CAP_BPF and
 * CAP_PERFMON (CAP_SYS_ADMIN stands for both, as on kernels before 5.8)
 * to load BPF and attach uprobes and the exec tracepoint; CAP_SYS_PTRACE
 * to read other processes' executables and memory through /proc. Returns
 * how many are missing (0: out is ""). */
int caps__missing(uint64_t eff, char *out, size_t n);

#endif
