/* Single-process mode: one target, its probes, the live table or JSON. */
#include "session.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "duty.h"
#include "image.h"
#include "lifecycle_loader.h"
#include "log.h"
#include "record.h"
#include "target.h"
#include "ui.h"

volatile sig_atomic_t exiting;

#define POLL_MS 50

struct session {
	const struct opts *o;
	pid_t pid;
	struct image *img;
	struct lifecycle *lc;
	struct lifecycle_probes *probes;
	struct target *t;
	struct ui *ui;
	struct recorder *rec; /* --record */
	struct duty duty;     /* when the spawn and exit probes are on */
	int pidfd;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int on_record(void *ctx, const void *rec, size_t len)
{
	struct session *s = ctx;

	if (s->rec)
		recorder__write(s->rec, rec, len);
	/* Records can come before the target is set up: they are of no
	 * goroutine the seeding will not find. */
	if (s->t)
		target__ingest(s->t, rec, len);
	return 0;
}

void session__warn_lifecycle(int err)
{
	uint64_t eff = 0;
	char missing[96];

	if ((err == -EPERM || err == -EACCES) && !caps__effective(&eff) &&
	    caps__missing(eff, 1, missing, sizeof(missing)))
		warn("loading BPF needs root (or CAP_BPF and CAP_PERFMON): missing %s: %s", missing,
		     strerror(-err));
	else
		warn("the kernel refused the BPF programs: %s (a kernel with BPF, "
		     "BTF and uprobes is needed; -v shows why)",
		     strerror(-err));
}

uint64_t session__wakeup_bytes(uint32_t ringbuf_bytes)
{
	/* The probes wake linger once a quarter of the buffer (256K at
	 * most) is queued: sooner would cost a wakeup per few records. */
	return ringbuf_bytes / 4 < (256u << 10) ? ringbuf_bytes / 4 : 256u << 10;
}

/* Spawn and exit probe hits so far: what the duty cycle meters. */
static uint64_t session__hits(struct session *s)
{
	uint64_t c[LC_CNT_MAX] = {0};

	lifecycle__counters(s->lc, c);
	return c[LC_CNT_SPAWN] + c[LC_CNT_EXIT];
}

static int session__attach(struct session *s)
{
	struct lifecycle_opts lo = {.ringbuf_bytes = s->o->ringbuf_bytes,
				    .wakeup_bytes = session__wakeup_bytes(s->o->ringbuf_bytes),
				    .perf_uprobes = s->o->perf_uprobes};
	struct attach_error e = {0};
	struct lifecycle_sites ls;
	struct duty_opts duty_opts;
	char exe_link[64];
	const char *what = NULL;
	uint64_t eff = 0;
	int err;

	s->img = image__open(s->pid, &e);
	if (!s->img) {
		warn("%s", e.msg);
		return -errno;
	}
	if (s->o->record_path && !(s->rec = recorder__open(s->o->record_path))) {
		warn("cannot create %s: %s", s->o->record_path, strerror(errno));
		return -errno;
	}
	s->lc = lifecycle__new(&lo, on_record, s);
	if (!s->lc) {
		err = -errno;
		session__warn_lifecycle(err);
		return err;
	}
	s->t = target__new(s->pid, s->img, s->lc, s->o, &e);
	if (!s->t) {
		warn("%s", e.msg);
		return -errno;
	}
	snprintf(exe_link, sizeof(exe_link), "/proc/%d/exe", (int)s->pid);
	ls = *image__sites(s->img);
	ls.with_park = s->o->park_probe;
	err = lifecycle__add_target(s->lc, s->pid, image__facts(s->img),
				    image__sites(s->img)->gc.offset != 0);
	if (!err)
		err = lifecycle__probe(s->lc, s->pid, exe_link, &ls, &s->probes, &what);
	if (err) {
		/* The kernel's reason (ESRCH, ENOENT) would hide the plain one. */
		if (target__dead(s->pid))
			warn("PID %d exited while linger was attaching", (int)s->pid);
		else if (err == -EACCES && !caps__effective(&eff) &&
			 caps__uprobes_by_perfmon_for(eff) == 0)
			warn("PID %d (%s): cannot attach the %s: %s (this kernel wants "
			     "CAP_SYS_ADMIN for uprobes)",
			     (int)s->pid, image__path(s->img), what ? what : "target map",
			     strerror(-err));
		else
			warn("PID %d (%s): cannot attach the %s: %s", (int)s->pid,
			     image__path(s->img), what ? what : "target map", strerror(-err));
		return err;
	}
	lifecycle__poll(s->lc, 0);
	target__seed(s->t);
	duty_opts = s->o->duty;
	/* Without allgs no walk can find what the probes miss while off. */
	if (!target__can_walk(s->t))
		duty_opts.budget = 0.0;
	duty__init(&s->duty, &duty_opts, now_ns(), session__hits(s));
	debug("attached to PID %d (%s, %s)", (int)s->pid, image__path(s->img),
	      image__go_version(s->img));
	return 0;
}

/* Says what the target exec'd, after the final report. */
static void session__warn_execed(struct session *s)
{
	char link[64], exe[256];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)s->pid);
	n = readlink(link, exe, sizeof(exe) - 1);
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

/* Takes the spawn and exit probes off or puts them back as the duty cycle
 * says, walking the goroutines each time (target__walk). Returns 0, or
 * -errno when they cannot go back on (the target is gone: the loop finds
 * out). */
static int session__duty(struct session *s)
{
	switch (duty__step(&s->duty, now_ns(), session__hits(s))) {
	case DUTY_PAUSE:
		lifecycle__pause(s->probes, true);
		debug("duty cycle: probes on %.1f%% of the time", s->duty.on_fraction * 100.0);
		/* The table is then right as the off phase starts, exits lost
		 * to a full ring buffer included. */
		target__walk(s->t);
		return 0;
	case DUTY_RESUME:
		target__walk(s->t);
		return lifecycle__pause(s->probes, false);
	default:
		return 0;
	}
}

/* With -v: how much the probes did, and how often a spawn walked the
 * stack rather than reuse a cached one. */
static void session__debug_counters(struct session *s)
{
	uint64_t c[LC_CNT_MAX] = {0};

	if (lifecycle__counters(s->lc, c))
		return;
	debug("probe hits: spawn %llu (stack walks %llu), park %llu, exit %llu; read faults %llu",
	      (unsigned long long)c[LC_CNT_SPAWN], (unsigned long long)c[LC_CNT_STACK_WALK],
	      (unsigned long long)c[LC_CNT_PARK], (unsigned long long)c[LC_CNT_EXIT],
	      (unsigned long long)c[LC_CNT_READ_FAULT]);
}

/* Drains events and refreshes until something ends the run. */
static int session__loop(struct session *s)
{
	uint64_t start = now_ns();
	uint64_t next = start + s->o->interval_ns;
	uint64_t end = s->o->duration_ns ? start + s->o->duration_ns : UINT64_MAX;
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
		if (!gone)
			session__duty(s);
		execed = !gone && target__execed(s->t);
		t = now_ns();
		if (t >= end)
			break;
		if (t < next || gone || execed || quit || exiting)
			continue;
		next += s->o->interval_ns;
		if (next <= t)
			next = t + s->o->interval_ns;
		if (!target__refresh_due(s->t))
			continue;
		err = target__report(s->t, &r, false, false);
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
	session__debug_counters(s);
	err = target__report(s->t, &r, true, gone || execed);
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
	int rec_err;

	ui__free(s->ui);
	/* Detach first: nothing probes the target after. */
	lifecycle__unprobe(s->probes);
	target__free(s->t);
	lifecycle__free(s->lc);
	image__free(s->img);
	rec_err = recorder__close(s->rec);
	if (rec_err)
		warn("writing %s: %s", s->o->record_path, strerror(-rec_err));
	if (s->pidfd >= 0)
		close(s->pidfd);
}

int session__run(const struct opts *o)
{
	struct session s = {.o = o, .pid = o->pid, .pidfd = -1};
	int status = 2;

	if (session__attach(&s))
		goto cleanup;
	s.pidfd = (int)syscall(SYS_pidfd_open, s.pid, 0);
	s.ui = ui__new(o->json, target__detail, s.t);
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
