/* One run against one target process. */
#include "session.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cluster.h"
#include "gobin.h"
#include "goversion.h"
#include "gtable.h"
#include "lifecycle_loader.h"
#include "log.h"
#include "probesite.h"
#include "procmem.h"
#include "report.h"
#include "symbolizer.h"
#include "ui.h"
#include "offsets.h"
#include "waitreason.h"

volatile sig_atomic_t exiting;

/* Go's g status values that matter here (runtime2.go). */
#define G_IDLE	  0
#define G_WAITING 4
#define G_DEAD	  6
#define G_LEAKED  10 /* Go 1.26+, set by the runtime's own leak detector */
#define G_SCAN	  0x1000

#define MAX_UNWIND 32
#define POLL_MS	   50

struct session {
	const struct opts *o;
	pid_t pid;
	char exe_link[64]; /* /proc/PID/exe: opens and attaches even if deleted */
	char exe[256];	   /* what the link points to, for people */
	struct gobin *gb;
	struct goversion ver;
	struct go_offsets off;
	uint64_t bias;
	struct symbolizer *sym;
	struct procmem *pm;
	struct lifecycle *lc;
	struct gtable *gt;
	struct cluster *clusters;
	struct ui *ui;
	int pidfd;
	char **wait_names; /* from the target's runtime.waitReasonStrings */
	size_t nwait_names;
	uint64_t attach_ns;
	struct detector_opts detector; /* the options', with the exempt wait reason */
	uint64_t text_vaddr;	       /* runtime.newproc1: mapped as long as the image lives */
	bool stopped;		       /* at the last refresh tick: SIGSTOP, a debugger */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* Same clock as bpf_ktime_get_ns() and the runtime's nanotime. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int on_record(void *ctx, const void *rec, size_t len)
{
	const struct lc_event_spawn *spawn = rec;
	struct session *s = ctx;
	struct lc_event_spawn copy;

	/* A spawn joins the site of its stack's fingerprint; the record is in
	 * read-only ring-buffer memory, so the site's id goes into a copy. */
	if (len == sizeof(*spawn) && spawn->hdr.type == LC_EVENT_SPAWN && spawn->stack_id >= 0) {
		copy = *spawn;
		copy.stack_id = cluster__canonical(s->clusters, spawn->stack_id);
		rec = &copy;
	}
	gtable__ingest(s->gt, rec, len);
	return 0;
}

static int stack_frames(void *ctx, int32_t stack_id, uint64_t *pcs, size_t max)
{
	struct session *s = ctx;

	return lifecycle__stack(s->lc, stack_id, pcs, max);
}

static bool is_user_frame(void *ctx, uint64_t pc)
{
	struct session *s = ctx;
	struct symbolized sy;

	/* Return addresses: the call is the byte before. */
	if (symbolizer__lookup(s->sym, pc - s->bias - 1, &sy) || !sy.func)
		return false;
	return strncmp(sy.func, "runtime.", 8) != 0;
}

/* The state letter of a process in /proc/PID/stat (R, S, D, T, t, Z...),
 * or 0 when it cannot be read (no such process). */
static char target_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: the state
	 * follows the last ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* True when the process is gone, or a zombie (dead, not yet reaped). */
static bool target_dead(pid_t pid)
{
	char st = target_state(pid);

	return !st || st == 'Z' || st == 'X';
}

/* Checks the target is a process, readable, Go, amd64 and new enough. */
static int session__open_target(struct session *s)
{
	const char *version;
	ssize_t n;

	snprintf(s->exe_link, sizeof(s->exe_link), "/proc/%d/exe", (int)s->pid);
	if (kill(s->pid, 0) && errno == ESRCH) {
		warn("no process with PID %d", (int)s->pid);
		return -ESRCH;
	}
	n = readlink(s->exe_link, s->exe, sizeof(s->exe) - 1);
	if (n < 0) {
		if (errno == ENOENT)
			warn("PID %d has no executable (a kernel thread, or it just exited)",
			     (int)s->pid);
		else
			warn("cannot read %s: %s (linger needs root, or CAP_SYS_PTRACE)",
			     s->exe_link, strerror(errno));
		return -errno;
	}
	s->exe[n] = '\0';
	s->gb = gobin__open(s->exe_link);
	if (!s->gb) {
		int err = -errno;

		if (err == -ENOEXEC)
			warn("PID %d (%s) is not a Go program: not an ELF executable", (int)s->pid,
			     s->exe);
		else
			warn("cannot open %s (%s): %s", s->exe_link, s->exe, strerror(-err));
		return err;
	}
	version = gobin__go_version(s->gb);
	if (!version) {
		warn("PID %d (%s) is not a Go program: no Go build info", (int)s->pid, s->exe);
		return -ENOEXEC;
	}
	if (gobin__machine(s->gb) != EM_X86_64) {
		warn("PID %d (%s) is not an amd64 binary: linger supports Go on amd64", (int)s->pid,
		     s->exe);
		return -ENOTSUP;
	}
	if (goversion__parse(version, &s->ver) || goversion__cmp(&s->ver, 1, 17) < 0) {
		warn("PID %d (%s) is built with %s: linger needs Go 1.17 or newer (register ABI)",
		     (int)s->pid, s->exe, version);
		return -ENOTSUP;
	}
	/* DWARF when the binary has it; a stripped one gets the offsets
	 * measured for its Go version. */
	if (gobin__offsets(s->gb, &s->off) && runtime_offsets__lookup(s->ver.minor, &s->off)) {
		warn("PID %d (%s): stripped binary, and runtime.g offsets of %s are not known",
		     (int)s->pid, s->exe, version);
		return -ENOTSUP;
	}
	return 0;
}

static int session__symbol(struct session *s, const char *name, struct gobin_sym *sym)
{
	if (gobin__symbol(s->gb, name, sym) || !sym->size) {
		warn("PID %d (%s): symbol %s not found (stripped binary?)", (int)s->pid, s->exe,
		     name);
		return -ENOENT;
	}
	return 0;
}

/* Reads a function's code from the binary; caller frees. */
static uint8_t *session__code(struct session *s, const struct gobin_sym *sym)
{
	uint8_t *code = malloc(sym->size);

	if (code && gobin__read(s->gb, sym->vaddr, code, sym->size)) {
		free(code);
		return NULL;
	}
	return code;
}

static int session__file_offset(struct session *s, uint64_t vaddr, uint64_t *off)
{
	int err = gobin__file_offset(s->gb, vaddr, off);

	if (err)
		warn("PID %d (%s): address %#llx is in no loadable segment", (int)s->pid, s->exe,
		     (unsigned long long)vaddr);
	return err;
}

/* A probe on a function's prologue, at the cheapest safe instruction. */
static int session__prologue_site(struct session *s, const char *name, uint64_t *off)
{
	struct gobin_sym sym;
	struct probesite ps;
	uint8_t *code;
	int err;

	err = session__symbol(s, name, &sym);
	if (err)
		return err;
	code = session__code(s, &sym);
	if (!code)
		return -EIO;
	err = probesite__prologue(code, sym.size, sym.vaddr, &ps);
	free(code);
	if (err)
		return err;
	debug("%s: probe at +%llu (%s, %s)", name, (unsigned long long)(ps.vaddr - sym.vaddr),
	      probesite__kind_name(ps.kind),
	      probesite__emulated(ps.kind) ? "emulated" : "single-stepped");
	return session__file_offset(s, ps.vaddr, off);
}

/* Adds a spawn probe at vaddr, where reg holds the new g. */
static int session__add_spawn(struct session *s, struct lifecycle_sites *ls, uint64_t vaddr,
			      enum lc_reg reg)
{
	struct lifecycle_site *site;

	if (ls->nspawn == LIFECYCLE_MAX_SPAWN_SITES)
		return -E2BIG;
	site = &ls->spawn[ls->nspawn];
	site->reg = reg;
	if (session__file_offset(s, vaddr, &site->offset))
		return -ENOENT;
	ls->nspawn++;
	return 0;
}

/* The instructions in function name that pick() finds (calls to target,
 * or returns), at most LIFECYCLE_MAX_SPAWN_SITES; the count, or <= 0. */
static int session__find_in(struct session *s, const char *name, uint64_t target, uint64_t *vaddrs)
{
	struct gobin_sym fn;
	uint8_t *code;
	int n;

	if (gobin__symbol(s->gb, name, &fn) || !fn.size || !(code = session__code(s, &fn)))
		return -ENOENT;
	n = target ? probesite__calls_to(code, fn.size, fn.vaddr, target, vaddrs,
					 LIFECYCLE_MAX_SPAWN_SITES)
		   : probesite__returns(code, fn.size, fn.vaddr, vaddrs, LIFECYCLE_MAX_SPAWN_SITES);
	free(code);
	return n;
}

/* The spawn probes. Every `go` statement goes through newproc.func1,
 * whose CALL runtime.runqput (emulated) has the new g in RBX. Coroutines
 * (iter.Pull, Go 1.22+) are made by newproc1 called from newcoro's
 * closure: probed on the instruction after that call, where RAX is the new
 * g. Where runqput is inlined (PGO), every RET of newproc1 (single-stepped,
 * RAX) stands in for both. */
static int session__spawn_sites(struct session *s, struct lifecycle_sites *ls)
{
	uint64_t vaddrs[LIFECYCLE_MAX_SPAWN_SITES];
	struct gobin_sym runqput, newproc1;
	int n = 0, err = 0;

	err = session__symbol(s, "runtime.newproc1", &newproc1);
	if (err)
		return err;
	s->text_vaddr = newproc1.vaddr;
	if (!gobin__symbol(s->gb, "runtime.runqput", &runqput))
		n = session__find_in(s, "runtime.newproc.func1", runqput.vaddr, vaddrs);
	debug("runtime.newproc.func1: %d call(s) to runqput (call, emulated)", n);
	for (int i = 0; i < n && !err; i++)
		err = session__add_spawn(s, ls, vaddrs[i], LC_REG_RBX);
	if (n > 0) {
		/* A CALL rel32 is 5 bytes: the new g is in RAX right after. */
		n = session__find_in(s, "runtime.newcoro.func1", newproc1.vaddr, vaddrs);
		if (n > 0)
			debug("runtime.newcoro.func1: %d call(s) to newproc1 (single-stepped)", n);
		for (int i = 0; i < n && !err; i++)
			err = session__add_spawn(s, ls, vaddrs[i] + 5, LC_REG_RAX);
		return err;
	}
	n = session__find_in(s, "runtime.newproc1", 0, vaddrs);
	debug("runtime.newproc1: %d ret(s) (single-stepped)", n);
	if (n <= 0) {
		warn("PID %d (%s): no spawn probe site in runtime.newproc1", (int)s->pid, s->exe);
		return -ENOENT;
	}
	for (int i = 0; i < n && !err; i++)
		err = session__add_spawn(s, ls, vaddrs[i], LC_REG_RAX);
	return err;
}

/* Wait-reason names as the target's runtime spells them; a per-version
 * table is the fallback when the array cannot be read. */
static void session__read_wait_names(struct session *s)
{
	struct gobin_sym sym;
	size_t n;

	if (gobin__symbol(s->gb, "runtime.waitReasonStrings", &sym) || sym.size < 16)
		return;
	n = sym.size / 16;
	s->wait_names = calloc(n, sizeof(*s->wait_names));
	if (!s->wait_names)
		return;
	s->nwait_names = n;
	for (size_t i = 0; i < n; i++) {
		uint64_t hdr[2];
		char name[64];

		if (procmem__read(s->pm, sym.vaddr + s->bias + i * 16, hdr, sizeof(hdr)) ||
		    hdr[1] == 0 || hdr[1] >= sizeof(name) ||
		    procmem__read(s->pm, hdr[0], name, hdr[1]))
			continue;
		name[hdr[1]] = '\0';
		s->wait_names[i] = strdup(name);
	}
}

static const char *session__wait_name(struct session *s, uint32_t reason)
{
	if (reason < s->nwait_names && s->wait_names[reason])
		return s->wait_names[reason];
	return waitreason__name(s->ver.minor, reason);
}

/* True when this process holds what loading BPF and attaching uprobes
 * needs: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON (bits 21, 39, 38 of
 * CapEff in /proc/self/status). Used to tell a privilege problem from a
 * kernel refusing the programs, which both come back as EPERM/EACCES. */
static bool has_bpf_privileges(void)
{
	unsigned long long eff = 0;
	bool found = false;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	return found && ((eff >> 21 & 1) || ((eff >> 39 & 1) && (eff >> 38 & 1)));
}

/* The link-time address of runtime.allgs, a []*g. Stripped binaries lose
 * the symbol but keep runtime.allgadd, which appends to it: the slice is
 * the address whose three words (pointer, length, capacity) the function
 * all refers to. */
static int session__allgs(struct session *s, uint64_t *allgs)
{
	uint64_t refs[256];
	struct gobin_sym sym;
	uint8_t *code;
	int n;

	if (!gobin__symbol(s->gb, "runtime.allgs", &sym)) {
		*allgs = sym.vaddr;
		return 0;
	}
	if (gobin__symbol(s->gb, "runtime.allgadd", &sym) || !(code = session__code(s, &sym)))
		return -ENOENT;
	n = probesite__rip_refs(code, sym.size, sym.vaddr, refs, 256);
	free(code);
	return n > 0 ? probesite__slice_header(refs, (size_t)n, allgs) : -ENOENT;
}

/* Goroutines read from allgs per batch: bounded memory for the pointers,
 * and the ring buffer drained between batches (see session__seed). */
#define SEED_BATCH 4096

/* Goroutines alive before the probes attached, read once from the
 * target's runtime.allgs ([]*g), so that a leak older than linger is seen
 * at once. Runs after the first drain, so a spawn record already ingested
 * wins over the same goroutine read here. Best effort: an unreadable g is
 * skipped, and a binary without the symbol yields none.
 *
 * A target can hold millions of goroutines, and the probes run meanwhile:
 * each g's fields are read with one read of the span that holds them all
 * (not one read per field), the pointers a batch at a time, and the ring
 * buffer is drained between batches so that a busy target does not
 * overrun it while this runs. Records and reads may interleave: a record
 * ingested first makes gtable__seed refuse the goroutine (-EEXIST), one
 * ingested after updates or removes the seeded entry. */
static void session__seed(struct session *s)
{
	const struct {
		uint32_t off, size;
	} fields[] = {{s->off.g_goid, 8},    {s->off.g_atomicstatus, 4}, {s->off.g_gopc, 8},
		      {s->off.g_startpc, 8}, {s->off.g_waitreason, 1},	 {s->off.g_waitsince, 8}};
	uint64_t slice[2], *gs = NULL, n, seeded = 0, allgs;
	uint32_t lo = UINT32_MAX, hi = 0;
	uint64_t now = now_ns();
	uint8_t *g = NULL;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].off < lo)
			lo = fields[i].off;
		if (fields[i].off + fields[i].size > hi)
			hi = fields[i].off + fields[i].size;
	}
	if (session__allgs(s, &allgs) ||
	    procmem__read(s->pm, allgs + s->bias, slice, sizeof(slice)) || !slice[1])
		return;
	n = slice[1];
	if (n > s->o->max_goroutines)
		n = s->o->max_goroutines;
	gs = malloc(SEED_BATCH * sizeof(*gs));
	g = malloc(hi - lo);
	if (!gs || !g)
		goto cleanup;
	for (uint64_t base = 0; base < n; base += SEED_BATCH) {
		uint64_t m = n - base < SEED_BATCH ? n - base : SEED_BATCH;

		if (base)
			lifecycle__poll(s->lc, 0);
		if (procmem__read(s->pm, slice[0] + base * sizeof(*gs), gs, m * sizeof(*gs)))
			break;
		for (uint64_t i = 0; i < m; i++) {
			struct gtable_seed sd = {.g_addr = gs[i], .since_ns = now};
			uint32_t status = 0;
			int64_t waitsince = 0;
			uint8_t reason = 0;

			if (procmem__read(s->pm, gs[i] + lo, g, hi - lo))
				continue;
			memcpy(&sd.goid, g + s->off.g_goid - lo, 8);
			memcpy(&status, g + s->off.g_atomicstatus - lo, 4);
			memcpy(&sd.gopc, g + s->off.g_gopc - lo, 8);
			memcpy(&sd.startpc, g + s->off.g_startpc - lo, 8);
			memcpy(&reason, g + s->off.g_waitreason - lo, 1);
			memcpy(&waitsince, g + s->off.g_waitsince - lo, 8);
			status &= ~(uint32_t)G_SCAN;
			if (!sd.goid || status == G_DEAD || status == G_IDLE)
				continue;
			sd.parked = status == G_WAITING || status == G_LEAKED;
			sd.wait_reason = reason;
			/* The runtime stamps waitsince lazily (at a GC after the
			 * park); when set it is on our clock and says how long the
			 * goroutine has been blocked at least. */
			if (sd.parked && waitsince > 0 && (uint64_t)waitsince < now)
				sd.since_ns = (uint64_t)waitsince;
			if (!gtable__seed(s->gt, &sd))
				seeded++;
		}
	}
	debug("read %llu goroutines alive before attach", (unsigned long long)seeded);
cleanup:
	free(g);
	free(gs);
}

/* The detector, with the wait reason of idle network I/O exempted
 * unless asked otherwise: its number differs between Go versions, its
 * name does not. */
static void session__detector(struct session *s)
{
	s->detector = s->o->detector;
	if (s->o->io_wait_suspects)
		return;
	for (uint32_t r = 0; r < 256; r++) {
		const char *name = session__wait_name(s, r);

		if (name && !strcmp(name, "IO wait")) {
			s->detector.exempt_reason = r;
			return;
		}
	}
}

static int session__attach(struct session *s)
{
	/* The probes wake linger once a quarter of the buffer (256K at
	 * most) is queued: sooner would cost a wakeup per few records. */
	struct lifecycle_opts lo = {.ringbuf_bytes = s->o->ringbuf_bytes,
				    .wakeup_bytes = s->o->ringbuf_bytes / 4 < (256u << 10)
							? s->o->ringbuf_bytes / 4
							: 256u << 10};
	struct gtable_limits lim = {s->o->max_goroutines, s->o->max_sites};
	struct lifecycle_sites ls = {0};
	const char *what = NULL;
	struct lc_target t = {0};
	struct gobin_sym gdestroy, gcmark;
	struct stat st;
	int err;

	t.g_goid_off = s->off.g_goid;
	t.g_gopc_off = s->off.g_gopc;
	t.g_startpc_off = s->off.g_startpc;
	t.g_waitreason_off = s->off.g_waitreason;
	t.g_m_off = s->off.g_m;
	t.m_curg_off = s->off.m_curg;
	/* Go 1.22+ tears every goroutine down in gdestroy (g in RAX), also
	 * coroutines, which never reach goexit1; before, goexit1 (R14). */
	ls.park.reg = LC_REG_RAX;
	ls.exit.reg = LC_REG_RAX;
	err = session__spawn_sites(s, &ls);
	if (!err)
		err = session__prologue_site(s, "runtime.park_m", &ls.park.offset);
	if (!err && gobin__symbol(s->gb, "runtime.gdestroy", &gdestroy)) {
		ls.exit.reg = LC_REG_R14;
		err = session__prologue_site(s, "runtime.goexit1", &ls.exit.offset);
	} else if (!err) {
		err = session__prologue_site(s, "runtime.gdestroy", &ls.exit.offset);
	}
	if (err)
		return err;
	/* Optional: without it a leak's hold is measured in time only. */
	if (gobin__symbol(s->gb, "runtime.gcMarkTermination", &gcmark) ||
	    session__prologue_site(s, "runtime.gcMarkTermination", &ls.gc.offset)) {
		debug("runtime.gcMarkTermination not probed: the target's GCs are not counted");
		ls.gc.offset = 0;
	}

	if (stat(s->exe_link, &st) ||
	    procmaps__bias_of_pid(s->pid, st.st_ino, gobin__load_base(s->gb), &s->bias)) {
		if (target_dead(s->pid))
			warn("PID %d exited while linger was attaching", (int)s->pid);
		else
			warn("PID %d (%s): cannot find its executable's mapping", (int)s->pid,
			     s->exe);
		return -ENOENT;
	}
	s->pm = procmem__open(s->pid);
	if (!s->pm) {
		warn("cannot open /proc/%d/mem: %s (linger needs root, or CAP_SYS_PTRACE)",
		     (int)s->pid, strerror(errno));
		return -errno;
	}
	s->sym = symbolizer__new(s->gb);
	s->gt = gtable__new(&lim);
	s->clusters = cluster__new(LC_STACK_IDS, stack_frames, is_user_frame, s);
	if (!s->sym || !s->gt || !s->clusters) {
		warn("out of memory");
		return -ENOMEM;
	}
	session__read_wait_names(s);
	session__detector(s);

	s->lc = lifecycle__new(&lo, on_record, s);
	if (!s->lc) {
		err = -errno;
		if ((err == -EPERM || err == -EACCES) && !has_bpf_privileges())
			warn("loading BPF needs root (or CAP_BPF and CAP_PERFMON): %s",
			     strerror(-err));
		else
			warn("the kernel refused the BPF programs: %s (a kernel with BPF, "
			     "BTF and uprobes is needed; -v shows why)",
			     strerror(-err));
		return err;
	}
	err = lifecycle__attach(s->lc, s->pid, s->exe_link, &t, &ls, &what);
	if (err) {
		/* The kernel's reason (ESRCH, ENOENT) would hide the plain one. */
		if (target_dead(s->pid))
			warn("PID %d exited while linger was attaching", (int)s->pid);
		else
			warn("PID %d (%s): cannot attach the %s: %s", (int)s->pid, s->exe, what,
			     strerror(-err));
		return err;
	}
	s->attach_ns = now_ns();
	lifecycle__poll(s->lc, 0);
	session__seed(s);
	debug("attached to PID %d (%s, %s, bias %#llx)", (int)s->pid, s->exe,
	      gobin__go_version(s->gb), (unsigned long long)s->bias);
	return 0;
}

/* g.stack {lo, hi} is the first field of runtime.g in every version: the
 * runtime's assembly addresses it at offset 0. */
#define G_STACK_LO 0
#define G_STACK_HI 8

/* gtable's probe: is this goroutine still alive at g_addr, and parked? */
static int probe_goroutine(void *ctx, uint64_t goid, uint64_t g_addr, struct gtable_gstate *out)
{
	struct session *s = ctx;
	uint64_t got_goid = 0, stack[2] = {0};
	uint32_t status = 0;
	uint8_t reason = 0;
	int err;

	err = procmem__read(s->pm, g_addr + s->off.g_goid, &got_goid, sizeof(got_goid));
	if (!err)
		err = procmem__read(s->pm, g_addr + s->off.g_atomicstatus, &status, sizeof(status));
	if (!err)
		err = procmem__read(s->pm, g_addr + s->off.g_waitreason, &reason, sizeof(reason));
	if (!err)
		err = procmem__read(s->pm, g_addr + G_STACK_LO, stack, sizeof(stack));
	if (err)
		return err;
	status &= ~(uint32_t)G_SCAN;
	if (got_goid != goid || status == G_DEAD)
		return -ESRCH;
	if (status != G_WAITING && status != G_LEAKED)
		return 0;
	out->wait_reason = reason;
	out->stack_bytes = stack[1] > stack[0] ? stack[1] - stack[0] : 0;
	return 1;
}

static bool is_runtime_internal(const char *func)
{
	static const char *const prefixes[] = {"runtime.", "sync.", "internal/", "time.Sleep"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(func, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static void fill_frame(struct session *s, uint64_t vaddr, struct report_frame *f)
{
	struct symbolized sy;

	memset(f, 0, sizeof(*f));
	if (symbolizer__lookup(s->sym, vaddr, &sy))
		return;
	if (sy.func)
		snprintf(f->func, sizeof(f->func), "%s", sy.func);
	if (sy.file)
		snprintf(f->file, sizeof(f->file), "%s", sy.file);
	f->line = sy.line;
}

/* The return addresses of a parked goroutine, innermost first, unwound
 * through frame pointers from its saved scheduling context. Returns the
 * count (0 when the goroutine is gone or unreadable). */
static size_t session__unwind(struct session *s, uint64_t goid, uint64_t g_addr, uint64_t *pcs,
			      size_t max)
{
	uint64_t got_goid, pc, bp;
	size_t n = 0;

	if (procmem__read(s->pm, g_addr + s->off.g_goid, &got_goid, 8) || got_goid != goid ||
	    procmem__read(s->pm, g_addr + s->off.g_sched + s->off.gobuf_pc, &pc, 8) ||
	    procmem__read(s->pm, g_addr + s->off.g_sched + s->off.gobuf_bp, &bp, 8))
		return 0;
	while (n < max && pc) {
		uint64_t frame[2]; /* saved BP, return address */

		pcs[n++] = pc;
		/* Frames live higher up the stack than their callees: a BP
		 * that does not rise is the end, or garbage. */
		if (!bp || procmem__read(s->pm, bp, frame, sizeof(frame)) || frame[0] <= bp)
			break;
		pc = frame[1];
		bp = frame[0];
	}
	return n;
}

/* pcs[0] is where execution stopped; the others are return addresses,
 * whose call is the byte before. */
static void fill_frames(struct session *s, const uint64_t *pcs, size_t n, bool first_is_ip,
			struct report_frame *out)
{
	for (size_t i = 0; i < n; i++)
		fill_frame(s, pcs[i] - s->bias - (i == 0 && first_is_ip ? 0 : 1), &out[i]);
}

/* The first frame outside the runtime and sync of a parked goroutine. */
static void session__blocked_at(struct session *s, uint64_t goid, uint64_t g_addr,
				struct report_frame *f)
{
	uint64_t pcs[MAX_UNWIND];
	size_t n = session__unwind(s, goid, g_addr, pcs, MAX_UNWIND);

	for (size_t i = 0; i < n; i++) {
		fill_frames(s, &pcs[i], 1, i == 0, f);
		if (f->func[0] && !is_runtime_internal(f->func))
			return;
	}
	memset(f, 0, sizeof(*f));
}

/* ui's detail: the creation stack past the runtime's spawn frames, and
 * the whole blocking stack of the site's sample goroutine. */
static int session__detail(void *ctx, const struct report_site *site, struct site_detail *out)
{
	struct session *s = ctx;
	uint64_t pcs[REPORT_MAX_FRAMES];
	size_t skip = 0;
	int n;

	memset(out, 0, sizeof(*out));
	n = site->key < (1ULL << 31)
		? lifecycle__stack(s->lc, (int32_t)site->key, pcs, REPORT_MAX_FRAMES)
		: 0;
	if (n > 0) {
		fill_frames(s, pcs, (size_t)n, true, out->created);
		while (skip < (size_t)n && !strncmp(out->created[skip].func, "runtime.", 8))
			skip++;
		if (skip == (size_t)n)
			skip = 0;
		out->ncreated = (size_t)n - skip;
		memmove(out->created, out->created + skip, sizeof(out->created[0]) * out->ncreated);
	} else {
		fill_frame(s, site->gopc - s->bias - 1, &out->created[0]);
		out->ncreated = 1;
	}
	if (site->sample_g_addr) {
		out->nblocked = session__unwind(s, site->sample_goid, site->sample_g_addr, pcs,
						REPORT_MAX_FRAMES);
		fill_frames(s, pcs, out->nblocked, true, out->blocked);
	}
	return 0;
}

/* The `go` statement of a site: gopc, except for coroutines, whose gopc
 * is inside iter.Pull: then the first frame of the creation stack outside
 * the runtime and package iter, which is the user's call of iter.Pull. */
static void session__go_site(struct session *s, struct report_site *site)
{
	uint64_t pcs[LC_STACK_DEPTH];
	int n;

	fill_frame(s, site->gopc - s->bias - 1, &site->go_site);
	if (strncmp(site->go_site.func, "iter.", 5) || site->key >= (1ULL << 31))
		return;
	n = lifecycle__stack(s->lc, (int32_t)site->key, pcs, LC_STACK_DEPTH);
	for (int i = 1; i < n; i++) {
		struct report_frame f;

		fill_frame(s, pcs[i] - s->bias - 1, &f);
		if (f.func[0] && strncmp(f.func, "runtime.", 8) && strncmp(f.func, "iter.", 5)) {
			site->go_site = f;
			return;
		}
	}
}

static bool is_system_site(const char *start_func)
{
	/* As the runtime's isSystemGoroutine: its own goroutines, but not
	 * runtime.main, which runs the user's main, nor runtime.corostart,
	 * which runs the user's iterator behind iter.Pull. */
	return !strncmp(start_func, "runtime.", 8) && strcmp(start_func, "runtime.main") &&
	       strcmp(start_func, "runtime.corostart");
}

/* Names the report's sites and drops the runtime's own. */
static void session__enrich(struct session *s, struct report *r)
{
	size_t kept = 0;

	r->hdr.live = 0;
	r->hdr.suspects = 0;
	for (size_t i = 0; i < r->nsites; i++) {
		struct report_site *site = &r->sites[i];
		struct report_frame start;

		fill_frame(s, site->startpc - s->bias, &start);
		snprintf(site->start_func, sizeof(site->start_func), "%s", start.func);
		if (is_system_site(site->start_func))
			continue;
		session__go_site(s, site);
		if (site->has_wait_reason) {
			const char *name = session__wait_name(s, site->wait_reason);

			if (name)
				snprintf(site->wait_reason_name, sizeof(site->wait_reason_name),
					 "%s", name);
			else
				snprintf(site->wait_reason_name, sizeof(site->wait_reason_name),
					 "reason %u", site->wait_reason);
		}
		if (site->sample_g_addr)
			session__blocked_at(s, site->sample_goid, site->sample_g_addr,
					    &site->blocked_at);
		r->hdr.live += site->live;
		r->hdr.suspects += site->suspects;
		if (kept != i)
			r->sites[kept] = *site;
		kept++;
	}
	r->nsites = kept;
}

static int session__report(struct session *s, struct report *r, bool final, bool target_exited)
{
	uint64_t counters[LC_CNT_MAX] = {0}, gcs;
	int err;

	if (!lifecycle__gc_cycles(s->lc, s->pid, &gcs))
		gtable__set_gc_cycles(s->gt, gcs);
	err = gtable__report(s->gt, &s->detector, now_ns(), probe_goroutine, s, r);
	if (err)
		return err;
	lifecycle__counters(s->lc, counters);
	r->hdr.pid = s->pid;
	snprintf(r->hdr.exe, sizeof(r->hdr.exe), "%s", s->exe);
	snprintf(r->hdr.go_version, sizeof(r->hdr.go_version), "%s", gobin__go_version(s->gb));
	r->hdr.elapsed_ns = now_ns() - s->attach_ns;
	r->hdr.drops = counters[LC_CNT_DROP];
	r->hdr.target_exited = target_exited;
	r->final = final;
	session__enrich(s, r);
	return 0;
}

/* Says what the target exec'd, after the final report. */
static void session__warn_execed(struct session *s)
{
	char exe[256];
	ssize_t n = readlink(s->exe_link, exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	warn("PID %d exec'd %s: the program linger attached to is gone, and its probes with it",
	     (int)s->pid, n > 0 ? exe : "another program");
}

static bool target_gone(struct session *s)
{
	struct pollfd p = {.fd = s->pidfd, .events = POLLIN};

	if (s->pidfd >= 0)
		return poll(&p, 1, 0) > 0;
	return kill(s->pid, 0) && errno == ESRCH;
}

/* True when the target has exec'd (another program, or its own binary
 * again): the process lives on, but the address space linger attached to
 * is gone, and with it the probes (they belong to the old image) and the
 * goroutines the table describes (a new image numbers them from 1 again).
 * /proc/PID/mem, opened at attach, reads as end-of-file (-ESRCH) once that
 * address space is released; it does too while the process exits, but an
 * exiting process has no address space at all, whereas an exec'd one has
 * a new one: its /proc/PID/maps is not empty. */
static bool target_execed(struct session *s)
{
	char path[64], c;
	uint8_t byte;
	ssize_t n;
	int fd;

	if (procmem__read(s->pm, s->text_vaddr + s->bias, &byte, 1) != -ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)s->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1;
}

/* Whether a refresh is due now, or held back because the target is
 * stopped (SIGSTOP, a debugger). A stopped target runs none of its
 * goroutines: they age while none of their siblings can exit, and a
 * report would flag every healthy site whose goroutines outlive a
 * refresh. The first tick after it runs again is skipped too: the
 * goroutines that waited through the stop (timers long expired, say)
 * need a moment to finish, which a report at once would not give them. */
static bool session__refresh_due(struct session *s)
{
	char st = target_state(s->pid);
	bool was = s->stopped;

	s->stopped = st == 'T' || st == 't';
	return !s->stopped && !was;
}

/* Drains events and refreshes until something ends the run. */
static int session__loop(struct session *s)
{
	uint64_t next = s->attach_ns + s->o->interval_ns;
	uint64_t end = s->o->duration_ns ? s->attach_ns + s->o->duration_ns : UINT64_MAX;
	bool gone = false, execed = false, quit = false;
	struct report r = {0};
	int err = 0;

	while (!exiting && !quit && !gone && !execed) {
		uint64_t t;

		err = lifecycle__poll(s->lc, POLL_MS);
		if (err < 0 && err != -EINTR) {
			warn("reading events: %s", strerror(-err));
			return err;
		}
		quit = ui__input(s->ui);
		gone = target_gone(s);
		execed = !gone && target_execed(s);
		t = now_ns();
		if (t >= end)
			break;
		if (t < next || gone || execed || quit || exiting)
			continue;
		next += s->o->interval_ns;
		if (next <= t)
			next = t + s->o->interval_ns;
		if (!session__refresh_due(s))
			continue;
		err = session__report(s, &r, false, false);
		if (!err)
			err = ui__show(s->ui, &r);
		report__free(&r);
		if (err) {
			warn("rendering the report: %s", strerror(-err));
			return err;
		}
	}
	/* Whatever is still queued belongs in the final report. */
	lifecycle__poll(s->lc, 0);
	err = session__report(s, &r, true, gone || execed);
	if (!err)
		err = ui__finish(s->ui, &r);
	if (err) {
		warn("rendering the final report: %s", strerror(-err));
		report__free(&r);
		return err;
	}
	if (gone)
		warn("PID %d exited", (int)s->pid);
	else if (execed)
		session__warn_execed(s);
	err = report__has_findings(&r) ? 1 : 0;
	report__free(&r);
	return err;
}

static void session__free(struct session *s)
{
	ui__free(s->ui);
	lifecycle__free(s->lc); /* detaches first: nothing probes the target after */
	gtable__free(s->gt);
	cluster__free(s->clusters);
	symbolizer__free(s->sym);
	procmem__free(s->pm);
	gobin__free(s->gb);
	for (size_t i = 0; i < s->nwait_names; i++)
		free(s->wait_names[i]);
	free(s->wait_names);
	if (s->pidfd >= 0)
		close(s->pidfd);
}

int session__run(const struct opts *o)
{
	struct session s = {.o = o, .pid = o->pid, .pidfd = -1};
	int status = 2;

	if (session__open_target(&s) || session__attach(&s))
		goto cleanup;
	s.pidfd = (int)syscall(SYS_pidfd_open, s.pid, 0);
	s.ui = ui__new(o->json, session__detail, &s);
	if (!s.ui) {
		warn("cannot set up the terminal: %s", strerror(errno));
		goto cleanup;
	}
	status = session__loop(&s);
	if (status < 0)
		status = 2;
cleanup:
	session__free(&s);
	return status;
}
