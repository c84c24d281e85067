/* One followed process: records in, reports out. */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "gtable.h"
#include "gwalk.h"
#include "log.h"
#include "procmem.h"

/* Go's g status values that matter here (runtime2.go). */
#define G_WAITING 4
#define G_DEAD	  6
#define G_LEAKED  10 /* Go 1.26+, set by the runtime's own leak detector */
#define G_SCAN	  0x1000

#define MAX_UNWIND 32

struct target {
	const struct opts *o;
	pid_t pid;
	struct image *img;    /* borrowed */
	struct lifecycle *lc; /* borrowed */
	const struct go_offsets *off;
	struct symbolizer *sym;
	uint64_t bias;
	struct procmem *pm;
	struct gtable *gt;
	struct cluster *clusters;
	uint64_t attach_ns;
	uint64_t walk_ns;	       /* when the walk of allgs in progress began */
	struct detector_opts detector; /* the options', with the exempt wait reason */
	bool stopped;		       /* at the last refresh tick: SIGSTOP, a debugger */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* Same clock as bpf_ktime_get_ns() and the runtime's nanotime. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void target__ingest(struct target *t, const void *rec, size_t len)
{
	const struct lc_event_spawn *spawn = rec;
	struct lc_event_spawn copy;

	/* A spawn joins the site of its stack's fingerprint; the record is in
	 * read-only ring-buffer memory, so the site's id goes into a copy. */
	if (len == sizeof(*spawn) && spawn->hdr.type == LC_EVENT_SPAWN && spawn->stack_id >= 0) {
		copy = *spawn;
		copy.stack_id = cluster__canonical(t->clusters, spawn->stack_id);
		rec = &copy;
	}
	gtable__ingest(t->gt, rec, len);
}

static int stack_frames(void *ctx, int32_t stack_id, uint64_t *pcs, size_t max)
{
	struct target *s = ctx;

	return lifecycle__stack(s->lc, stack_id, pcs, max);
}

static bool is_user_frame(void *ctx, uint64_t pc)
{
	struct target *s = ctx;
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
bool target__dead(pid_t pid)
{
	char st = target_state(pid);

	return !st || st == 'Z' || st == 'X';
}

/* A goroutine read from allgs as the table's seed. The runtime stamps
 * waitsince lazily (at a GC after the park); when set it is on our clock
 * and says how long the goroutine has been blocked at least. */
static struct gtable_seed seed_of(const struct gwalk_g *w, uint64_t now)
{
	struct gtable_seed sd = {.goid = w->goid,
				 .g_addr = w->g_addr,
				 .gopc = w->gopc,
				 .startpc = w->startpc,
				 .since_ns = now,
				 .wait_reason = w->wait_reason,
				 .parked = w->parked};

	if (w->parked && w->waitsince > 0 && (uint64_t)w->waitsince < now)
		sd.since_ns = (uint64_t)w->waitsince;
	return sd;
}

static void drain_between(void *ctx)
{
	struct target *t = ctx;

	lifecycle__poll(t->lc, 0);
}

static int seed_one(void *ctx, const struct gwalk_g *w)
{
	struct target *t = ctx;
	struct gtable_seed sd = seed_of(w, t->walk_ns);

	gtable__seed(t->gt, &sd);
	return 0;
}

static int observe_one(void *ctx, const struct gwalk_g *w)
{
	struct target *t = ctx;
	struct gtable_seed sd = seed_of(w, t->walk_ns);

	gtable__observe(t->gt, &sd);
	return 0;
}

/* Goroutines alive before the probes attached, read once from the
 * target's runtime.allgs ([]*g), so that a leak older than linger is seen
 * at once. Runs after the first drain, so a spawn record already ingested
 * wins over the same goroutine read here. Best effort: an unreadable g is
 * skipped, and a binary without the symbol yields none.
 *
 * A target can hold millions of goroutines, and the probes run meanwhile:
 * the ring buffer is drained between batches so that a busy target does
 * not overrun it while this runs. Records and reads may interleave: a
 * record ingested first makes gtable__seed refuse the goroutine
 * (-EEXIST), one ingested after updates or removes the seeded entry. */
void target__seed(struct target *s)
{
	uint64_t allgs = image__allgs(s->img), len;
	int64_t n;

	s->attach_ns = now_ns();
	if (!allgs)
		return;
	/* allgs holds every g the target ever had, live or dead to reuse: an
	 * upper bound that sizes the table once for a big target. */
	if (!procmem__read(s->pm, allgs + s->bias + 8, &len, sizeof(len)))
		gtable__reserve(s->gt, len);
	s->walk_ns = s->attach_ns;
	n = gwalk__run(s->pm, allgs + s->bias, s->off, s->o->max_goroutines, seed_one,
		       drain_between, s);
	debug("read %lld goroutines alive before attach", (long long)n);
}

bool target__can_walk(const struct target *t)
{
	return image__allgs(t->img) != 0;
}

void target__walk(struct target *t)
{
	uint64_t allgs = image__allgs(t->img), gone;
	int64_t n;

	if (!allgs)
		return;
	lifecycle__poll(t->lc, 0);
	t->walk_ns = now_ns();
	n = gwalk__run(t->pm, allgs + t->bias, t->off, t->o->max_goroutines, observe_one, NULL, t);
	if (n < 0)
		return;
	gone = gtable__forget_unobserved(t->gt, t->walk_ns);
	debug("walk: %lld live, %llu exited unseen, %.1f ms", (long long)n,
	      (unsigned long long)gone, (double)(now_ns() - t->walk_ns) / 1e6);
}

/* The detector, with the wait reason of idle network I/O exempted
 * unless asked otherwise: its number differs between Go versions, its
 * name does not. */
static void target__detector(struct target *s)
{
	s->detector = s->o->detector;
	if (s->o->io_wait_suspects)
		return;
	for (uint32_t r = 0; r < 256; r++) {
		const char *name = image__wait_name(s->img, r);

		if (name && !strcmp(name, "IO wait")) {
			s->detector.exempt_reason = r;
			return;
		}
	}
}

/* g.stack {lo, hi} is the first field of runtime.g in every version: the
 * runtime's assembly addresses it at offset 0. */
#define G_STACK_LO 0
#define G_STACK_HI 8

/* gtable's probe: is this goroutine still alive at g_addr, and parked? */
static int probe_goroutine(void *ctx, uint64_t goid, uint64_t g_addr, struct gtable_gstate *out)
{
	struct target *s = ctx;
	uint64_t got_goid = 0, stack[2] = {0};
	uint32_t status = 0;
	uint8_t reason = 0;
	int err;

	err = procmem__read(s->pm, g_addr + s->off->g_goid, &got_goid, sizeof(got_goid));
	if (!err)
		err =
		    procmem__read(s->pm, g_addr + s->off->g_atomicstatus, &status, sizeof(status));
	if (!err)
		err = procmem__read(s->pm, g_addr + s->off->g_waitreason, &reason, sizeof(reason));
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

static void fill_frame(struct target *s, uint64_t vaddr, struct report_frame *f)
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
static size_t target__unwind(struct target *s, uint64_t goid, uint64_t g_addr, uint64_t *pcs,
			     size_t max)
{
	uint64_t got_goid, pc, bp;
	size_t n = 0;

	if (procmem__read(s->pm, g_addr + s->off->g_goid, &got_goid, 8) || got_goid != goid ||
	    procmem__read(s->pm, g_addr + s->off->g_sched + s->off->gobuf_pc, &pc, 8) ||
	    procmem__read(s->pm, g_addr + s->off->g_sched + s->off->gobuf_bp, &bp, 8))
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
static void fill_frames(struct target *s, const uint64_t *pcs, size_t n, bool first_is_ip,
			struct report_frame *out)
{
	for (size_t i = 0; i < n; i++)
		fill_frame(s, pcs[i] - s->bias - (i == 0 && first_is_ip ? 0 : 1), &out[i]);
}

/* The first frame outside the runtime and sync of a parked goroutine. */
static void target__blocked_at(struct target *s, uint64_t goid, uint64_t g_addr,
			       struct report_frame *f)
{
	uint64_t pcs[MAX_UNWIND];
	size_t n = target__unwind(s, goid, g_addr, pcs, MAX_UNWIND);

	for (size_t i = 0; i < n; i++) {
		fill_frames(s, &pcs[i], 1, i == 0, f);
		if (f->func[0] && !is_runtime_internal(f->func))
			return;
	}
	memset(f, 0, sizeof(*f));
}

/* ui's detail: the creation stack past the runtime's spawn frames, and
 * the whole blocking stack of the site's sample goroutine. */
int target__detail(void *ctx, const struct report_site *site, struct site_detail *out)
{
	struct target *s = ctx;
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
		out->nblocked = target__unwind(s, site->sample_goid, site->sample_g_addr, pcs,
					       REPORT_MAX_FRAMES);
		fill_frames(s, pcs, out->nblocked, true, out->blocked);
	}
	return 0;
}

/* The `go` statement of a site: gopc, except for coroutines, whose gopc
 * is inside iter.Pull: then the first frame of the creation stack outside
 * the runtime and package iter, which is the user's call of iter.Pull. */
static void target__go_site(struct target *s, struct report_site *site)
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
static void target__enrich(struct target *s, struct report *r)
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
		target__go_site(s, site);
		if (site->has_wait_reason) {
			const char *name = image__wait_name(s->img, site->wait_reason);

			if (name)
				snprintf(site->wait_reason_name, sizeof(site->wait_reason_name),
					 "%s", name);
			else
				snprintf(site->wait_reason_name, sizeof(site->wait_reason_name),
					 "reason %u", site->wait_reason);
		}
		if (site->sample_g_addr)
			target__blocked_at(s, site->sample_goid, site->sample_g_addr,
					   &site->blocked_at);
		r->hdr.live += site->live;
		r->hdr.suspects += site->suspects;
		if (kept != i)
			r->sites[kept] = *site;
		kept++;
	}
	r->nsites = kept;
}

int target__report(struct target *s, struct report *r, bool final, bool target_exited)
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
	snprintf(r->hdr.exe, sizeof(r->hdr.exe), "%s", image__path(s->img));
	snprintf(r->hdr.go_version, sizeof(r->hdr.go_version), "%s", image__go_version(s->img));
	r->hdr.elapsed_ns = now_ns() - s->attach_ns;
	r->hdr.drops = counters[LC_CNT_DROP];
	r->hdr.target_exited = target_exited;
	r->final = final;
	target__enrich(s, r);
	return 0;
}

/* True when the target has exec'd (another program, or its own binary
 * again): the process lives on, but the address space linger attached to
 * is gone, and with it the probes (they belong to the old image) and the
 * goroutines the table describes (a new image numbers them from 1 again).
 * /proc/PID/mem, opened at attach, reads as end-of-file (-ESRCH) once that
 * address space is released; it does too while the process exits, but an
 * exiting process has no address space at all, whereas an exec'd one has
 * a new one: its /proc/PID/maps is not empty. */
bool target__execed(struct target *s)
{
	char path[64], c;
	uint8_t byte;
	ssize_t n;
	int fd;

	if (procmem__read(s->pm, image__text_vaddr(s->img) + s->bias, &byte, 1) != -ESRCH)
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
bool target__refresh_due(struct target *s)
{
	char st = target_state(s->pid);
	bool was = s->stopped;

	s->stopped = st == 'T' || st == 't';
	return !s->stopped && !was;
}

struct target *target__new(pid_t pid, struct image *img, struct lifecycle *lc, const struct opts *o,
			   struct attach_error *e)
{
	struct gtable_limits lim = {o->max_goroutines, o->max_sites};
	uint64_t dev, ino;
	struct target *t;
	int err;

	t = calloc(1, sizeof(*t));
	if (!t) {
		err = attach_error__set(e, AF_OTHER, -ENOMEM, "out of memory");
		goto cleanup;
	}
	t->o = o;
	t->pid = pid;
	t->img = img;
	t->lc = lc;
	t->off = image__offsets(img);
	t->sym = image__symbolizer(img);
	image__id(img, &dev, &ino);
	if (procmaps__bias_of_pid(pid, ino, gobin__load_base(image__gobin(img)), &t->bias)) {
		if (target__dead(pid))
			err =
			    attach_error__set(e, AF_GONE, -ESRCH,
					      "PID %d exited while linger was attaching", (int)pid);
		else
			err = attach_error__set(e, AF_OTHER, -ENOENT,
						"PID %d (%s): cannot find its executable's mapping",
						(int)pid, image__path(img));
		goto cleanup;
	}
	t->pm = procmem__open(pid);
	if (!t->pm) {
		err = attach_error__set(
		    e, errno == ENOENT || errno == ESRCH ? AF_GONE : AF_PERMISSION, -errno,
		    "cannot open /proc/%d/mem: %s (linger needs root, or CAP_SYS_PTRACE)", (int)pid,
		    strerror(errno));
		goto cleanup;
	}
	t->gt = gtable__new(&lim);
	if (t->gt)
		gtable__set_park_records(t->gt, o->park_probe);
	t->clusters = cluster__new(LC_STACK_IDS, stack_frames, is_user_frame, t);
	if (!t->gt || !t->clusters) {
		err = attach_error__set(e, AF_OTHER, -ENOMEM, "out of memory");
		goto cleanup;
	}
	image__read_wait_names(img, t->pm, t->bias);
	target__detector(t);
	t->attach_ns = now_ns();
	return t;
cleanup:
	target__free(t);
	errno = -err;
	return NULL;
}

void target__free(struct target *t)
{
	if (!t)
		return;
	gtable__free(t->gt);
	cluster__free(t->clusters);
	procmem__free(t->pm);
	free(t);
}

struct image *target__image(struct target *t)
{
	return t->img;
}
