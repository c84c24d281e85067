/* The node agent: discovery, one probe set per binary, one target per
 * process, metrics and the JSON log stream. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "caps.h"
#include "cgroup.h"
#include "httpd.h"
#include "image.h"
#include "json.h"
#include "lifecycle_loader.h"
#include "log.h"
#include "metrics.h"
#include "session.h"
#include "target.h"

#define POLL_MS	    50
#define PUT(b, lit) buf__append((b), (lit), sizeof(lit) - 1)
/* Processes waiting for their attach delay; past it, an exec storm must
 * not grow memory without bound: /proc is scanned again instead. */
#define MAX_PENDING 4096
/* Binaries known not to be Go programs (by device and inode), so that a
 * shell exec'd a thousand times is parsed once. */
#define NOT_GO_CACHE 256
/* Scans of /proc after drops, at most one per this. */
#define RESCAN_NS (10 * 1000000000ULL)

/* One binary with its probes, shared by the processes that run it. */
struct agent_bin {
	uint64_t dev, ino;
	struct image *img;
	struct lifecycle_probes *probes;
	unsigned refs;
};

/* What the JSON stream last said of a site. */
struct site_state {
	uint64_t key;
	enum verdict verdict;
	bool suspects;
};

struct agent_proc {
	pid_t pid;
	struct target *t;
	struct agent_bin *bin;
	int pidfd;
	bool execed; /* an exec record came: forget it, look at it again */
	bool gone;   /* its pidfd says it exited */
	char container[80];
	char cgroup[256];
	struct report r; /* the last report, what /metrics shows */
	struct site_state *states;
	size_t nstates;
};

struct pending {
	pid_t pid;
	uint64_t due_ns;
};

struct agent {
	const struct opts *o;
	pid_t self;
	struct lifecycle *lc;
	struct httpd *http;
	struct agent_proc **procs; /* max_procs slots */
	size_t nprocs;
	struct agent_bin **bins;
	size_t nbins;
	struct agent_proc **index; /* procs sorted by pid, for the records */
	struct pollfd *pfds;	   /* one per proc, same order as procs */
	struct pending *pending;   /* MAX_PENDING slots */
	size_t npending;
	struct {
		uint64_t dev, ino;
	} not_go[NOT_GO_CACHE];
	size_t not_go_next;
	struct metrics_agent stats;
	uint64_t evictions_gone; /* of processes forgotten */
	uint64_t drops_seen;	 /* drops at the last scan of /proc */
	uint64_t rescan_ns;	 /* when that scan was */
	bool rescan_wanted;	 /* the pending queue overflowed */
	struct buf text;
	struct buf line;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

/* Writes the line buffer to stdout and flushes it: a log shipper gets
 * each line whole, as it happens. */
static void agent__emit(struct agent *a)
{
	if (a->o->json && a->line.len && !a->line.oom) {
		fwrite(a->line.data, 1, a->line.len, stdout);
		fflush(stdout);
	}
	buf__reset(&a->line);
}

static void agent__json_proc(struct agent *a, const char *event, const struct agent_proc *p)
{
	struct image *img = target__image(p->t);

	buf__printf(&a->line, "{\"event\":\"%s\",\"ts_ms\":%" PRIu64 ",\"pid\":%d,\"exe\":", event,
		    wall_ms(), (int)p->pid);
	json__str(&a->line, image__path(img), 4096);
	buf__printf(&a->line, ",\"container\":");
	json__str(&a->line, p->container, sizeof(p->container));
}

static int cmp_proc_pid(const void *x, const void *y)
{
	const struct agent_proc *p = *(struct agent_proc *const *)x;
	const struct agent_proc *q = *(struct agent_proc *const *)y;

	return (p->pid > q->pid) - (p->pid < q->pid);
}

/* Rebuilds the pid index and the pidfd poll set after procs changed. */
static void agent__reindex(struct agent *a)
{
	for (size_t i = 0; i < a->nprocs; i++) {
		a->index[i] = a->procs[i];
		a->pfds[i] = (struct pollfd){.fd = a->procs[i]->pidfd, .events = POLLIN};
	}
	qsort(a->index, a->nprocs, sizeof(*a->index), cmp_proc_pid);
}

static struct agent_proc *agent__find(struct agent *a, pid_t pid)
{
	size_t lo = 0, hi = a->nprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->index[mid]->pid == pid)
			return a->index[mid];
		if (a->index[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void agent__pend(struct agent *a, pid_t pid, uint64_t due_ns)
{
	/* An exec storm: the next scan of /proc finds what is left out. */
	if (a->npending == MAX_PENDING) {
		a->rescan_wanted = true;
		return;
	}
	a->pending[a->npending++] = (struct pending){pid, due_ns};
}

/* The ring buffer's records: exec records queue a look at the process;
 * the others go to their process's target. */
static int on_record(void *ctx, const void *rec, size_t len)
{
	const struct lc_event_header *h = rec;
	struct agent *a = ctx;
	struct agent_proc *p;

	if (len < sizeof(*h))
		return 0;
	p = agent__find(a, (pid_t)h->tgid);
	if (h->type == LC_EVENT_EXEC) {
		if (p)
			p->execed = true;
		agent__pend(a, (pid_t)h->tgid, now_ns() + a->o->attach_delay_ns);
		return 0;
	}
	if (p && !p->execed) {
		target__ingest(p->t, rec, len);
		a->stats.events++;
	}
	return 0;
}

static bool agent__known_not_go(struct agent *a, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < NOT_GO_CACHE; i++)
		if (a->not_go[i].ino == ino && a->not_go[i].dev == dev && ino)
			return true;
	return false;
}

static struct agent_bin *agent__find_bin(struct agent *a, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < a->nbins; i++)
		if (a->bins[i]->dev == dev && a->bins[i]->ino == ino)
			return a->bins[i];
	return NULL;
}

static void agent__bin_put(struct agent *a, struct agent_bin *b)
{
	if (--b->refs)
		return;
	lifecycle__unprobe(b->probes);
	image__free(b->img);
	for (size_t i = 0; i < a->nbins; i++)
		if (a->bins[i] == b) {
			a->bins[i] = a->bins[--a->nbins];
			break;
		}
	free(b);
}

/* The binary of pid, probed for every process that runs it: found among
 * the probed ones, or opened and probed now. NULL with *e filled. */
static struct agent_bin *agent__bin_get(struct agent *a, pid_t pid, uint64_t dev, uint64_t ino,
					struct attach_error *e)
{
	struct agent_bin *b = agent__find_bin(a, dev, ino);
	struct lifecycle_sites ls;
	const char *what = NULL;
	char link[64];
	int err;

	if (b) {
		b->refs++;
		return b;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		attach_error__set(e, AF_OTHER, -ENOMEM, "out of memory");
		return NULL;
	}
	b->img = image__open(pid, e);
	if (!b->img)
		goto cleanup;
	image__id(b->img, &b->dev, &b->ino);
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	ls = *image__sites(b->img);
	ls.with_park = a->o->park_probe;
	err = lifecycle__probe(a->lc, -1, link, &ls, &b->probes, &what);
	if (err) {
		attach_error__set(e, target__dead(pid) ? AF_GONE : AF_PROBE, err,
				  "PID %d (%s): cannot attach the %s: %s", (int)pid,
				  image__path(b->img), what, strerror(-err));
		goto cleanup;
	}
	b->refs = 1;
	a->bins[a->nbins++] = b;
	debug("probed %s (%s)", image__path(b->img), image__go_version(b->img));
	return b;
cleanup:
	image__free(b->img);
	free(b);
	return NULL;
}

/* Whether --exe lets path in. */
static bool agent__wanted(const struct agent *a, const char *path)
{
	if (!a->o->nexe)
		return true;
	for (size_t i = 0; i < a->o->nexe; i++)
		if (!fnmatch(a->o->exe[i], path, 0))
			return true;
	return false;
}

static void agent__failed(struct agent *a, pid_t pid, const struct attach_error *e)
{
	if (e->reason == AF_NOT_GO) {
		a->stats.not_go++;
		return;
	}
	a->stats.failures[e->reason < AF_COUNT ? e->reason : AF_OTHER]++;
	debug("%s", e->msg);
	if (!a->o->json)
		return;
	buf__printf(&a->line,
		    "{\"event\":\"attach_failed\",\"ts_ms\":%" PRIu64
		    ",\"pid\":%d,\"reason\":\"%s\",\"message\":",
		    wall_ms(), (int)pid, attach_failure__name(e->reason));
	json__str(&a->line, e->msg, sizeof(e->msg));
	buf__printf(&a->line, "}\n");
	agent__emit(a);
}

/* Remembers a binary that is not a Go program, when e says so. */
static void agent__not_go(struct agent *a, const struct stat *st, const struct attach_error *e)
{
	if (e->reason != AF_NOT_GO)
		return;
	a->not_go[a->not_go_next].dev = st->st_dev;
	a->not_go[a->not_go_next].ino = st->st_ino;
	a->not_go_next = (a->not_go_next + 1) % NOT_GO_CACHE;
}

/* A process past --max-procs: counted as a limit failure when it is a Go
 * program, without probing its binary. */
static void agent__overflow(struct agent *a, pid_t pid, const struct stat *st, const char *path)
{
	struct attach_error e = {0};
	struct image *img;

	if (!agent__find_bin(a, st->st_dev, st->st_ino)) {
		img = image__open(pid, &e);
		if (!img) {
			agent__not_go(a, st, &e);
			agent__failed(a, pid, &e);
			return;
		}
		image__free(img);
	}
	attach_error__set(&e, AF_LIMIT, -E2BIG,
			  "PID %d (%s): --max-procs %u processes followed already", (int)pid, path,
			  a->o->max_procs);
	agent__failed(a, pid, &e);
}

/* Looks at one process and follows it when it is a Go program linger
 * can follow and wants. */
static void agent__consider(struct agent *a, pid_t pid)
{
	struct attach_error e = {0};
	struct agent_proc *p = NULL;
	char link[64], path[4096];
	struct agent_bin *b = NULL;
	struct stat st;
	ssize_t n;
	int err;

	if (pid == a->self || agent__find(a, pid))
		return;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	/* Kernel threads and processes gone already have no executable. */
	if (stat(link, &st) || (n = readlink(link, path, sizeof(path) - 1)) < 0) {
		if (errno == EACCES || errno == EPERM)
			attach_error__set(&e, AF_PERMISSION, -errno,
					  "cannot read %s: %s (linger needs CAP_SYS_PTRACE)", link,
					  strerror(errno));
		else
			e.reason = AF_NOT_GO;
		agent__failed(a, pid, &e);
		return;
	}
	path[n] = '\0';
	if (agent__known_not_go(a, st.st_dev, st.st_ino)) {
		a->stats.not_go++;
		return;
	}
	if (!agent__wanted(a, path)) {
		a->stats.filtered++;
		return;
	}
	if (a->nprocs == a->o->max_procs) {
		agent__overflow(a, pid, &st, path);
		return;
	}
	b = agent__bin_get(a, pid, st.st_dev, st.st_ino, &e);
	if (!b) {
		agent__not_go(a, &st, &e);
		agent__failed(a, pid, &e);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		attach_error__set(&e, AF_OTHER, -ENOMEM, "out of memory");
		goto cleanup;
	}
	p->pid = pid;
	p->bin = b;
	p->pidfd = -1;
	p->t = target__new(pid, b->img, a->lc, a->o, &e);
	if (!p->t)
		goto cleanup;
	err = lifecycle__add_target(a->lc, pid, image__facts(b->img),
				    image__sites(b->img)->gc.offset != 0);
	if (err) {
		attach_error__set(&e, err == -E2BIG ? AF_LIMIT : AF_OTHER, err,
				  "PID %d (%s): cannot register it: %s", (int)pid, path,
				  strerror(-err));
		goto cleanup;
	}
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0) {
		lifecycle__remove_target(a->lc, pid);
		attach_error__set(&e, AF_GONE, -errno, "PID %d exited while linger was attaching",
				  (int)pid);
		goto cleanup;
	}
	if (cgroup__of_pid(pid, p->cgroup, sizeof(p->cgroup), p->container, sizeof(p->container)))
		p->cgroup[0] = p->container[0] = '\0';
	a->procs[a->nprocs++] = p;
	agent__reindex(a);
	/* Seeding drains the ring buffer: the index must know p already. */
	target__seed(p->t);
	if (a->o->json) {
		agent__json_proc(a, "attach", p);
		PUT(&a->line, ",\"go_version\":");
		json__str(&a->line, image__go_version(b->img), 64);
		PUT(&a->line, ",\"cgroup\":");
		json__str(&a->line, p->cgroup, sizeof(p->cgroup));
		buf__printf(&a->line, "}\n");
		agent__emit(a);
	}
	debug("following PID %d (%s)", (int)pid, path);
	return;
cleanup:
	agent__failed(a, pid, &e);
	if (p) {
		target__free(p->t);
		if (p->pidfd >= 0)
			close(p->pidfd);
		free(p);
	}
	agent__bin_put(a, b);
}

/* Stops following procs[i]: unregistered, its binary's probes detached
 * when it was the last to run it. */
static void agent__forget(struct agent *a, size_t i, const char *why)
{
	struct agent_proc *p = a->procs[i];

	lifecycle__remove_target(a->lc, p->pid);
	if (a->o->json) {
		agent__json_proc(a, "detach", p);
		buf__printf(&a->line, ",\"reason\":\"%s\"}\n", why);
		agent__emit(a);
	}
	debug("forgetting PID %d: %s", (int)p->pid, why);
	a->evictions_gone += p->r.hdr.evictions;
	a->procs[i] = a->procs[--a->nprocs];
	agent__reindex(a);
	target__free(p->t);
	agent__bin_put(a, p->bin);
	close(p->pidfd);
	report__free(&p->r);
	free(p->states);
	free(p);
}

/* Forgets the processes that exited or exec'd. */
static void agent__reap(struct agent *a)
{
	if (a->nprocs && poll(a->pfds, a->nprocs, 0) > 0)
		for (size_t i = 0; i < a->nprocs; i++)
			if (a->pfds[i].revents)
				a->procs[i]->gone = true;
	/* Backwards: forgetting moves the last process into the hole. */
	for (size_t i = a->nprocs; i-- > 0;) {
		struct agent_proc *p = a->procs[i];

		if (p->gone || p->execed) {
			a->stats.exited++;
			agent__forget(a, i, p->gone ? "exited" : "execed");
		}
	}
}

/* Looks at the processes whose attach delay is over. */
static void agent__attach_due(struct agent *a)
{
	uint64_t t = now_ns();
	size_t i = 0;

	while (i < a->npending) {
		pid_t pid;

		if (a->pending[i].due_ns > t) {
			i++;
			continue;
		}
		pid = a->pending[i].pid;
		a->pending[i] = a->pending[--a->npending];
		/* An exec'd process must be forgotten before it is looked at. */
		agent__reap(a);
		agent__consider(a, pid);
	}
}

/* The processes running when the agent starts. */
static void agent__scan(struct agent *a)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir) {
		warn("cannot list /proc: %s", strerror(errno));
		return;
	}
	while ((d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		agent__consider(a, (pid_t)pid);
		lifecycle__poll(a->lc, 0);
		agent__attach_due(a);
	}
	closedir(dir);
}

static int cmp_state(const void *x, const void *y)
{
	const struct site_state *s = x, *t = y;

	return (s->key > t->key) - (s->key < t->key);
}

/* The JSON stream's site lines: a site whose verdict changed, or that
 * has suspects for the first time. New sites that are only warming say
 * nothing: every site starts so. */
static void agent__site_changes(struct agent *a, struct agent_proc *p)
{
	struct site_state *now = calloc(p->r.nsites ? p->r.nsites : 1, sizeof(*now));

	if (!now)
		return;
	for (size_t i = 0; i < p->r.nsites; i++) {
		const struct report_site *s = &p->r.sites[i];
		struct site_state key = {.key = s->key}, *was;
		enum verdict before;

		now[i] = (struct site_state){s->key, s->verdict, s->suspects > 0};
		was = p->nstates ? bsearch(&key, p->states, p->nstates, sizeof(key), cmp_state)
				 : NULL;
		before = was ? was->verdict : VERDICT_WARMING;
		if (before == s->verdict && (!s->suspects || (was && was->suspects)))
			continue;
		agent__json_proc(a, "site", p);
		buf__printf(&a->line, ",\"previous_verdict\":\"%s\",\"verdict\":\"%s\",\"site\":",
			    was ? verdict__name(before) : "new", verdict__name(s->verdict));
		json__site(&a->line, s);
		buf__printf(&a->line, "}\n");
		agent__emit(a);
	}
	qsort(now, p->r.nsites, sizeof(*now), cmp_state);
	free(p->states);
	p->states = now;
	p->nstates = p->r.nsites;
}

/* One refresh: every process's report, the JSON changes, the metrics. */
static void agent__refresh(struct agent *a)
{
	struct metrics_proc *mp = calloc(a->nprocs ? a->nprocs : 1, sizeof(*mp));
	uint64_t counters[LC_CNT_MAX] = {0};
	size_t n = 0;

	if (!mp) {
		warn("out of memory");
		return;
	}
	a->stats.evictions = a->evictions_gone;
	for (size_t i = 0; i < a->nprocs; i++) {
		struct agent_proc *p = a->procs[i];

		if (target__refresh_due(p->t)) {
			report__free(&p->r);
			if (target__report(p->t, &p->r, false, false))
				continue;
			if (a->o->json)
				agent__site_changes(a, p);
		}
		a->stats.evictions += p->r.hdr.evictions;
		if (p->r.hdr.pid)
			mp[n++] = (struct metrics_proc){&p->r, p->container, p->cgroup};
	}
	if (!lifecycle__counters(a->lc, counters)) {
		a->stats.drops = counters[LC_CNT_DROP];
		a->stats.read_faults = counters[LC_CNT_READ_FAULT];
	}
	a->stats.attached = a->nprocs;
	a->stats.binaries = a->nbins;
	if (a->http) {
		buf__reset(&a->text);
		if (metrics__render(mp, n, &a->stats, &a->text) ||
		    httpd__publish(a->http, a->text.data, a->text.len))
			warn("metrics: out of memory");
	}
	free(mp);
}

static int agent__setup(struct agent *a)
{
	struct lifecycle_opts lo = {.ringbuf_bytes = a->o->ringbuf_bytes,
				    .wakeup_bytes = session__wakeup_bytes(a->o->ringbuf_bytes),
				    .max_targets = a->o->max_procs,
				    .follow_exec = true,
				    .perf_uprobes = a->o->perf_uprobes};
	uint64_t eff = 0;
	char missing[96];
	int err;

	/* Everything the agent will need, said at once rather than as a
	 * failure per process later. */
	if (!caps__effective(&eff) &&
	    caps__missing(eff, caps__uprobes_by_perfmon_for(eff), missing, sizeof(missing))) {
		warn("missing capability %s: the agent needs CAP_SYS_PTRACE, and CAP_BPF with "
		     "CAP_PERFMON or, where the kernel wants it for uprobes, CAP_SYS_ADMIN",
		     missing);
		return -EPERM;
	}
	a->self = getpid();
	a->procs = calloc(a->o->max_procs, sizeof(*a->procs));
	a->index = calloc(a->o->max_procs, sizeof(*a->index));
	a->pfds = calloc(a->o->max_procs, sizeof(*a->pfds));
	a->bins = calloc(a->o->max_procs, sizeof(*a->bins));
	a->pending = calloc(MAX_PENDING, sizeof(*a->pending));
	if (!a->procs || !a->index || !a->pfds || !a->bins || !a->pending) {
		warn("out of memory");
		return -ENOMEM;
	}
	a->stats.max_procs = a->o->max_procs;
	a->lc = lifecycle__new(&lo, on_record, a);
	if (!a->lc) {
		err = -errno;
		session__warn_lifecycle(err);
		return err;
	}
	if (a->o->listen_host[0]) {
		a->http = httpd__new(a->o->listen_host, a->o->listen_port);
		if (!a->http) {
			err = -errno;
			warn("cannot listen on %s%s%s:%u: %s",
			     strchr(a->o->listen_host, ':') ? "[" : "", a->o->listen_host,
			     strchr(a->o->listen_host, ':') ? "]" : "", a->o->listen_port,
			     strerror(-err));
			return err;
		}
	}
	return 0;
}

static void agent__free(struct agent *a)
{
	while (a->nprocs)
		agent__forget(a, a->nprocs - 1, "stopped");
	httpd__free(a->http);
	lifecycle__free(a->lc);
	free(a->procs);
	free(a->index);
	free(a->pfds);
	free(a->bins);
	free(a->pending);
	buf__free(&a->text);
	buf__free(&a->line);
}

int agent__run(const struct opts *o)
{
	struct agent a = {.o = o};
	uint64_t start, next, end;
	int err, status = 2;

	if (agent__setup(&a))
		goto cleanup;
	start = now_ns();
	end = o->duration_ns ? start + o->duration_ns : UINT64_MAX;
	agent__scan(&a);
	debug("following %zu Go processes after the scan", a.nprocs);
	agent__refresh(&a);
	next = now_ns() + o->interval_ns;
	while (!exiting) {
		uint64_t t;

		err = lifecycle__poll(a.lc, POLL_MS);
		if (err < 0 && err != -EINTR) {
			warn("reading events: %s", strerror(-err));
			goto cleanup;
		}
		agent__reap(&a);
		agent__attach_due(&a);
		t = now_ns();
		if (t >= end)
			break;
		if (t < next)
			continue;
		next += o->interval_ns;
		if (next <= t)
			next = t + o->interval_ns;
		agent__refresh(&a);
		/* Lost records, or exec records the pending queue had no room
		 * for: look for what they said, at most every RESCAN_NS. */
		if ((a.stats.drops > a.drops_seen || a.rescan_wanted) &&
		    t >= a.rescan_ns + RESCAN_NS) {
			a.drops_seen = a.stats.drops;
			a.rescan_wanted = false;
			a.rescan_ns = t;
			agent__scan(&a);
		}
	}
	status = 0;
cleanup:
	agent__free(&a);
	return status;
}
