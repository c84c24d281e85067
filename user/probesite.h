/* Where to put a uprobe inside a Go function.
 *
 * A uprobe replaces one instruction with int3; the kernel then either
 * emulates the original instruction (CALL, JMP, Jcc, PUSH, NOP) or copies
 * it out of line and single-steps it. On the machines linger was measured
 * on the second costs ~13 us a hit against ~0.8 us, so every probe goes on
 * an emulated instruction whose registers still hold what the probe reads.
 * These functions decode machine code from a buffer (x86-64) so they can
 * be tested on fixture bytes. */
#ifndef LINGER_PROBESITE_H
#define LINGER_PROBESITE_H

#include <stddef.h>
#include <stdint.h>

enum probesite_kind {
	PROBESITE_PUSH_BP, /* the prologue's PUSHQ BP (Go 1.21+): emulated, fires once */
	PROBESITE_BRANCH,  /* the stack-check Jcc (Go <= 1.20): emulated */
	PROBESITE_CALL,	   /* a CALL instruction: emulated */
	PROBESITE_RET,	   /* a RET: single-stepped */
	PROBESITE_ENTRY,   /* the first instruction: single-stepped */
};

struct probesite {
	uint64_t vaddr;
	enum probesite_kind kind;
};

/* "push-bp", "branch", "call", "ret", "entry". */
const char *probesite__kind_name(enum probesite_kind kind);
/* True when the kernel emulates the instruction rather than stepping it. */
int probesite__emulated(enum probesite_kind kind);

/* Chooses the cheapest site in a function's prologue at which the
 * argument registers (RAX, RBX, RCX, RDI, RSI), R14 (g) and SP are still
 * as they were at entry: the PUSHQ BP when present, else the first
 * conditional branch, else the entry itself. code holds the function's
 * first len bytes, loaded at vaddr. Returns 0 or -EINVAL (no code). */
int probesite__prologue(const uint8_t *code, size_t len, uint64_t vaddr, struct probesite *out);

/* Lists the CALL rel32 instructions in code whose target is target, at
 * most max of them. Returns how many were found (0 when none), or
 * -EINVAL / -ENOMEM. */
int probesite__calls_to(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t target,
			uint64_t *sites, size_t max);

/* Lists the RET instructions in code, at most max. Returns the count or
 * a negative errno. */
int probesite__returns(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t *sites,
		       size_t max);

/* Lists the addresses that RIP-relative memory operands in code refer to
 * (data the function reads or writes, such as runtime.allgs in
 * runtime.allgadd), in code order, at most max. Returns the count or a
 * negative errno. Stripped binaries keep their functions but not their
 * data symbols: this is how data is found through the code using it. */
int probesite__rip_refs(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t *addrs,
			size_t max);

/* The first address in refs whose next two words (+8, +16) are in refs
 * too: a Go slice header {pointer, length, capacity} that code loads and
 * stores field by field. 0, or -ENOENT when none is. */
int probesite__slice_header(const uint64_t *refs, size_t n, uint64_t *addr);

#endif
