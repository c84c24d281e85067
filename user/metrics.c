/* Prometheus text exposition of the agent's reports. */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUT(b, lit) buf__append((b), (lit), sizeof(lit) - 1)

/* A label value, escaped as the text format wants. */
static void metrics__label(struct buf *b, const char *name, const char *v, size_t size)
{
	size_t n = strnlen(v, size), start = 0, i;

	buf__printf(b, "%s=\"", name);
	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c != '\\' && c != '"' && c != '\n')
			continue;
		buf__append(b, v + start, i - start);
		if (c == '\n')
			PUT(b, "\\n");
		else
			buf__printf(b, "\\%c", c);
		start = i + 1;
	}
	buf__append(b, v + start, n - start);
	PUT(b, "\"");
}

static void metrics__proc_labels(struct buf *b, const struct metrics_proc *p)
{
	buf__printf(b, "pid=\"%d\",", p->r->hdr.pid);
	metrics__label(b, "exe", p->r->hdr.exe, sizeof(p->r->hdr.exe));
	PUT(b, ",");
	metrics__label(b, "container", p->container, 256);
}

/* One series' worth of a process's sites: those with the same labels
 * (two creation stacks of one `go` statement and start function) summed,
 * so that no two series of a scrape share their labels. */
struct msite {
	const struct report_site *s; /* the first: its names are the labels */
	uint64_t live, suspects, settled, exited;
	double lifetime_ns;   /* sum of exited lifetimes, mean * exited summed */
	enum verdict verdict; /* the most severe */
};

struct mproc {
	const struct metrics_proc *p;
	struct msite *sites;
	size_t n;
};

static int cmp_frame(const struct report_frame *x, const struct report_frame *y)
{
	int c = strncmp(x->func, y->func, sizeof(x->func));

	if (!c)
		c = strncmp(x->file, y->file, sizeof(x->file));
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_site(const void *a, const void *b)
{
	const struct report_site *x = *(const struct report_site *const *)a;
	const struct report_site *y = *(const struct report_site *const *)b;
	int c = strncmp(x->start_func, y->start_func, sizeof(x->start_func));

	return c ? c : cmp_frame(&x->go_site, &y->go_site);
}

/* Merges r's sites by their labels into m->sites. 0 or -ENOMEM. */
static int mproc__fill(struct mproc *m, const struct metrics_proc *p)
{
	const struct report *r = p->r;
	const struct report_site **order;

	m->p = p;
	m->n = 0;
	if (!r->nsites)
		return 0;
	order = calloc(r->nsites, sizeof(*order));
	m->sites = calloc(r->nsites, sizeof(*m->sites));
	if (!order || !m->sites) {
		free(order);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->nsites; i++)
		order[i] = &r->sites[i];
	qsort(order, r->nsites, sizeof(*order), cmp_site);
	for (size_t i = 0; i < r->nsites; i++) {
		const struct report_site *s = order[i];
		struct msite *ms = &m->sites[m->n];

		if (m->n && !cmp_site(&ms[-1].s, &s)) {
			ms = &ms[-1];
		} else {
			*ms = (struct msite){.s = s, .verdict = s->verdict};
			m->n++;
		}
		ms->live += s->live;
		ms->suspects += s->suspects;
		ms->settled += s->settled;
		ms->exited += s->exited;
		if (s->exited && isfinite(s->mean_ns))
			ms->lifetime_ns += s->mean_ns * (double)s->exited;
		if (s->verdict > ms->verdict)
			ms->verdict = s->verdict;
	}
	free(order);
	return 0;
}

/* `go` statement as "func file:line", the file without its directory. */
static void metrics__site_labels(struct buf *b, const struct metrics_proc *p,
				 const struct report_site *s)
{
	const struct report_frame *f = &s->go_site;
	const char *file = strrchr(f->file, '/');
	char go_site[sizeof(f->func) + sizeof(f->file) + 16];

	file = file ? file + 1 : f->file;
	if (f->line)
		snprintf(go_site, sizeof(go_site), "%.*s %.*s:%u", (int)sizeof(f->func), f->func,
			 (int)sizeof(f->file), file, f->line);
	else
		snprintf(go_site, sizeof(go_site), "%.*s", (int)sizeof(f->func), f->func);
	metrics__proc_labels(b, p);
	PUT(b, ",");
	metrics__label(b, "start_func", s->start_func, sizeof(s->start_func));
	PUT(b, ",");
	metrics__label(b, "go_site", go_site, sizeof(go_site));
}

static void metrics__family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf__printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

enum site_value { SV_LIVE, SV_SUSPECTS, SV_SETTLED, SV_EXITS, SV_MEAN };

static uint64_t metrics__count(const struct msite *s, enum site_value which)
{
	switch (which) {
	case SV_LIVE:
		return s->live;
	case SV_SUSPECTS:
		return s->suspects;
	case SV_SETTLED:
		return s->settled;
	default:
		return s->exited;
	}
}

static void metrics__sites(struct buf *b, const struct mproc *procs, size_t n, const char *name,
			   enum site_value which)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < procs[i].n; j++) {
			const struct msite *s = &procs[i].sites[j];

			if (which == SV_MEAN && !s->exited)
				continue;
			buf__printf(b, "%s{", name);
			metrics__site_labels(b, procs[i].p, s->s);
			if (which == SV_MEAN)
				/* The C locale: the agent never calls setlocale. */
				buf__printf(b, "} %.9g\n",
					    s->lifetime_ns / (double)s->exited / 1e9);
			else
				buf__printf(b, "} %" PRIu64 "\n", metrics__count(s, which));
		}
}

static void metrics__verdicts(struct buf *b, const struct mproc *procs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < procs[i].n; j++) {
			const struct msite *s = &procs[i].sites[j];

			for (int v = VERDICT_WARMING; v <= VERDICT_LEAK; v++) {
				PUT(b, "linger_site_verdict{");
				metrics__site_labels(b, procs[i].p, s->s);
				buf__printf(b, ",verdict=\"%s\"} %d\n", verdict__name(v),
					    s->verdict == (enum verdict)v);
			}
		}
}

static void metrics__agent(struct buf *b, const struct metrics_agent *a)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} simple[] = {
	    {"linger_processes_attached", "gauge", "Go processes followed now.",
	     offsetof(struct metrics_agent, attached)},
	    {"linger_binaries_probed", "gauge",
	     "Distinct binaries with probes attached, shared by the processes that run them.",
	     offsetof(struct metrics_agent, binaries)},
	    {"linger_max_procs", "gauge", "Processes followed at most (--max-procs).",
	     offsetof(struct metrics_agent, max_procs)},
	    {"linger_events_total", "counter", "Probe records ingested.",
	     offsetof(struct metrics_agent, events)},
	    {"linger_drops_total", "counter", "Probe records lost: the ring buffer was full.",
	     offsetof(struct metrics_agent, drops)},
	    {"linger_read_faults_total", "counter",
	     "Reads of a goroutine's g struct the probes could not make.",
	     offsetof(struct metrics_agent, read_faults)},
	    {"linger_evictions_total", "counter",
	     "Goroutines or sites not tracked for lack of room (--max-goroutines).",
	     offsetof(struct metrics_agent, evictions)},
	    {"linger_processes_exited_total", "counter",
	     "Followed processes forgotten because they exited or exec'd.",
	     offsetof(struct metrics_agent, exited)},
	    {"linger_processes_not_go_total", "counter",
	     "Processes looked at (at start, at exec, at a rescan after drops) that are not Go "
	     "programs.",
	     offsetof(struct metrics_agent, not_go)},
	    {"linger_processes_filtered_total", "counter", "Go programs left out by --exe.",
	     offsetof(struct metrics_agent, filtered)},
	};

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)a + simple[i].off, sizeof(v));
		metrics__family(b, simple[i].name, simple[i].type, simple[i].help);
		buf__printf(b, "%s %" PRIu64 "\n", simple[i].name, v);
	}
	metrics__family(b, "linger_attach_failures_total", "counter",
			"Go processes linger could not follow, by reason.");
	for (int f = AF_GONE; f < AF_COUNT; f++)
		if (f != AF_NOT_GO)
			buf__printf(b, "linger_attach_failures_total{reason=\"%s\"} %" PRIu64 "\n",
				    attach_failure__name(f), a->failures[f]);
}

int metrics__render(const struct metrics_proc *procs, size_t n, const struct metrics_agent *a,
		    struct buf *out)
{
	struct mproc *m = calloc(n ? n : 1, sizeof(*m));
	int err = 0;

	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++)
		err = mproc__fill(&m[i], &procs[i]);
	if (err)
		goto cleanup;
	metrics__family(out, "linger_process_info", "gauge",
			"A followed Go process: its executable, Go version, container and cgroup.");
	for (size_t i = 0; i < n; i++) {
		PUT(out, "linger_process_info{");
		metrics__proc_labels(out, &procs[i]);
		PUT(out, ",");
		metrics__label(out, "go_version", procs[i].r->hdr.go_version,
			       sizeof(procs[i].r->hdr.go_version));
		PUT(out, ",");
		metrics__label(out, "cgroup", procs[i].cgroup, 4096);
		PUT(out, "} 1\n");
	}
	metrics__family(out, "linger_site_live_goroutines", "gauge",
			"Live goroutines created by a go statement.");
	metrics__sites(out, m, n, "linger_site_live_goroutines", SV_LIVE);
	metrics__family(out, "linger_site_suspects", "gauge",
			"Parked goroutines older than their site's mean lifetime + k sigma.");
	metrics__sites(out, m, n, "linger_site_suspects", SV_SUSPECTS);
	metrics__family(out, "linger_site_settled_suspects", "gauge",
			"Suspects that were past the threshold at the previous refresh too: "
			"what the leak rule counts.");
	metrics__sites(out, m, n, "linger_site_settled_suspects", SV_SETTLED);
	metrics__family(out, "linger_site_exits_total", "counter",
			"Goroutines of the site that exited since linger attached.");
	metrics__sites(out, m, n, "linger_site_exits_total", SV_EXITS);
	metrics__family(out, "linger_site_mean_lifetime_seconds", "gauge",
			"Mean lifetime of the site's exited goroutines.");
	metrics__sites(out, m, n, "linger_site_mean_lifetime_seconds", SV_MEAN);
	metrics__family(out, "linger_site_verdict", "gauge",
			"The site's verdict: 1 for the current one of warming, ok, growing, leak.");
	metrics__verdicts(out, m, n);
	metrics__agent(out, a);
	err = out->oom ? -ENOMEM : 0;
cleanup:
	for (size_t i = 0; i < n; i++)
		free(m[i].sites);
	free(m);
	return err;
}
