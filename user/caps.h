/* The capabilities linger needs, and which of them a process lacks. */
#ifndef LINGER_CAPS_H
#define LINGER_CAPS_H

#include <stdbool.h>
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

/* Whether this kernel lets a process without CAP_SYS_ADMIN create
 * uprobes: 5.8 opened them to CAP_PERFMON, and kernels from 2025 on
 * (stable backports included) require CAP_SYS_ADMIN again. Asks the
 * kernel: creates a uprobe on the first byte of linger's own binary (never
 * executed: it is not code) for linger only, and closes it at once.
 * Returns 1 (CAP_PERFMON is enough), 0 (CAP_SYS_ADMIN needed), or -errno
 * when the answer is unknown (no uprobe PMU). */
int caps__uprobes_by_perfmon(void);

/* caps__uprobes_by_perfmon(), asked only when the answer matters and
 * can be had: 1 with CAP_SYS_ADMIN in eff (then it does not matter), -1
 * (unknown) without CAP_PERFMON or when the kernel cannot tell. */
int caps__uprobes_by_perfmon_for(uint64_t eff);

/* Writes into out (size n) what linger needs and eff lacks,
 * comma-separated ("CAP_PERFMON, CAP_SYS_PTRACE"): CAP_BPF and CAP_PERFMON
 * to load BPF and attach the exec tracepoint and the uprobes, or
 * CAP_SYS_ADMIN, which stands for both and which uprobes need when
 * uprobes_by_perfmon is 0 (when it is -1, unknown, and CAP_BPF or
 * CAP_PERFMON is missing, both ways are named); CAP_SYS_PTRACE to read
 * other processes' executables and memory through /proc. Returns how many
 * are missing (0: out is ""). */
int caps__missing(uint64_t eff, int uprobes_by_perfmon, char *out, size_t n);

#endif
