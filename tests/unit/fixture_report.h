/* A report as a busy service would produce it: one leak, one growing
 * site, healthy and warming sites, a non-ASCII name and an unsymbolized
 * site. Shared by the view tests (test_json.c, test_table.c). */
#ifndef LINGER_TEST_FIXTURE_REPORT_H
#define LINGER_TEST_FIXTURE_REPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define MS_ 1e6
#define S_  1e9

static void fixture__frame(struct report_frame *f, const char *func, const char *file,
			   uint32_t line)
{
	snprintf(f->func, sizeof(f->func), "%s", func);
	snprintf(f->file, sizeof(f->file), "%s", file);
	f->line = line;
}

static struct report_site *fixture__site(struct report *r, uint64_t key, enum verdict v,
					 const char *start_func, const char *wait)
{
	struct report_site *s = &r->sites[r->nsites++];

	memset(s, 0, sizeof(*s));
	s->key = key;
	s->gopc = 0x4a0000 + key * 0x10;
	s->startpc = 0x4b0000 + key * 0x10;
	s->verdict = v;
	snprintf(s->start_func, sizeof(s->start_func), "%s", start_func);
	if (wait) {
		s->has_wait_reason = true;
		s->wait_reason = 7;
		snprintf(s->wait_reason_name, sizeof(s->wait_reason_name), "%s", wait);
	}
	return s;
}

/* Fills r (sorted with report__sort); free with report__free. */
static void fixture__report(struct report *r)
{
	struct report_site *s;

	memset(r, 0, sizeof(*r));
	r->sites = calloc(6, sizeof(*r->sites));
	if (!r->sites)
		abort();
	r->hdr.pid = 4242;
	snprintf(r->hdr.exe, sizeof(r->hdr.exe), "/srv/bin/orders-api");
	snprintf(r->hdr.go_version, sizeof(r->hdr.go_version), "go1.22.5");
	r->hdr.elapsed_ns = 302ULL * 1000000000ULL;
	r->hdr.live = 1170;
	r->hdr.spawn_rate = 812.44;
	r->hdr.exit_rate = 790.0;
	r->hdr.events = 1523456;
	r->hdr.drops = 0;
	r->hdr.evictions = 0;
	r->hdr.suspects = 161;
	r->hdr.suspect_stack_bytes = 137 * 8192;
	r->hdr.gc_cycles = 57;
	r->hdr.growth_per_s = 4.45;
	r->hdr.growth_alarm = GROWTH_WARNING;

	s = fixture__site(r, 3, VERDICT_WARMING, "database/sql.(*DB).connectionOpener", "select");
	fixture__frame(&s->go_site, "database/sql.OpenDB", "/usr/local/go/src/database/sql/sql.go",
		       810);
	fixture__frame(&s->blocked_at, "database/sql.(*DB).connectionOpener",
		       "/usr/local/go/src/database/sql/sql.go", 1218);
	s->live = 1;
	s->oldest_ns = 301ULL * 1000000000ULL;

	s = fixture__site(r, 23, VERDICT_GROWING, "main.pollUpstream", "select");
	fixture__frame(&s->go_site, "main.startPollers", "/src/orders/poll.go", 37);
	fixture__frame(&s->blocked_at, "main.pollUpstream", "/src/orders/poll.go", 58);
	s->live = 24;
	s->oldest_ns = 301ULL * 1000000000ULL;
	s->leak_per_min = 240.0;
	s->growth_alarm = GROWTH_WARNING;
	s->sample_goid = 88;
	s->sample_g_addr = 0xc000123000;

	s = fixture__site(r, 5, VERDICT_OK, "net/http.(*conn).serve", "IO wait");
	fixture__frame(&s->go_site, "net/http.(*Server).Serve",
		       "/usr/local/go/src/net/http/server.go", 3285);
	fixture__frame(&s->blocked_at, "internal/poll.(*FD).Read",
		       "/usr/local/go/src/internal/poll/fd_unix.go", 165);
	s->live = 1000;
	s->exited = 1523;
	s->mean_ns = 850e3;
	s->stddev_ns = 2.3 * MS_;
	s->threshold_ns = 7.75 * MS_;
	s->suspects = 24;
	s->oldest_ns = 1500000000ULL;

	s = fixture__site(r, 17, VERDICT_LEAK, "main.(*Server).handleOrder.func1", "chan send");
	fixture__frame(&s->go_site, "main.(*Server).handleOrder", "/src/orders/server.go", 142);
	fixture__frame(&s->blocked_at, "main.(*Server).handleOrder.func1", "/src/orders/server.go",
		       151);
	s->live = 140;
	s->exited = 48213;
	s->mean_ns = 3.2 * MS_;
	s->stddev_ns = 1.1 * MS_;
	s->threshold_ns = 6.5 * MS_;
	s->suspects = 137;
	s->oldest_ns = 291ULL * 1000000000ULL;
	s->leak_per_min = 27.5;
	s->suspect_stack_bytes = 137 * 8192;
	s->sample_goid = 1201;
	s->sample_g_addr = 0xc000456000;

	s = fixture__site(r, 9, VERDICT_OK, "main.café", "sync.WaitGroup.Wait");
	fixture__frame(&s->go_site, "main.(*Büro).run", "/src/orders/büro.go", 12);
	fixture__frame(&s->blocked_at, "main.(*Büro).run", "/src/orders/büro.go", 20);
	s->live = 2;
	s->exited = 900;
	s->mean_ns = 12 * MS_;
	s->stddev_ns = 4 * MS_;
	s->threshold_ns = 24 * MS_;
	s->oldest_ns = 9000000;

	/* No symbols at all: the views fall back to the gopc. */
	s = fixture__site(r, (1ULL << 63) | 0x4a3f10, VERDICT_WARMING, "", NULL);
	s->gopc = 0x4a3f10;
	s->live = 3;
	s->exited = 2;
	s->mean_ns = 1.5 * S_;
	s->stddev_ns = 0.5 * S_;
	s->oldest_ns = 2100000000ULL;

	report__sort(r);
}

#endif
