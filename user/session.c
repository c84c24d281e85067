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
#include "image.h"
#include "lifecycle_loader.h"
#include "log.h"
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

static int session__attach(struct session *s)
{
	struct lifecycle_opts lo = {.ringbuf_bytes = s->o->ringbuf_bytes,
				    .wakeup_bytes = session__wakeup_bytes(s->o->ringbuf_bytes)};
	struct attach_error e = {0};
	char exe_link[64];
	const char *what = NULL;
	uint64_t eff = 0;
	int err;

	s->img = image__open(s->pid, &e);
	if (!s->img) {
		warn("%s", e.msg);
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
	err = lifecycle__add_target(s->lc, s->pid, image__facts(s->img),
				    image__sites(s->img)->gc.offset != 0);
	if (!err)
		err = lifecycle__probe(s->lc, s->pid, exe_link, image__sites(s->img), &s->probes,
				       &what);
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
	ui__free(s->ui);
	/* Detach first: nothing probes the target after. */
	lifecycle__unprobe(s->probes);
	target__free(s->t);
	lifecycle__free(s->lc);
	image__free(s->img);
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
