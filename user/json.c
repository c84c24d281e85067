/* JSON view of a report. Hand-written: the schema is small and fixed, and
 * a library would bring an allocation per value for no gain. */
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "detector.h"

#define PUT(b, lit) buf__append((b), (lit), sizeof(lit) - 1)

/* Escapes a fixed-size field; runs of plain bytes are copied at once. */
void json__str(struct buf *b, const char *s, size_t size)
{
	size_t n = strnlen(s, size), start = 0, i;

	PUT(b, "\"");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		buf__append(b, s + start, i - start);
		if (c == '"' || c == '\\')
			buf__printf(b, "\\%c", c);
		else
			buf__printf(b, "\\u%04x", c);
		start = i + 1;
	}
	buf__append(b, s + start, n - start);
	PUT(b, "\"");
}

/* Nanoseconds as an integer: rounded, clamped to uint64. */
static uint64_t json__ns(double x)
{
	if (!(x > 0.0))
		return 0;
	x = round(x);
	if (x >= 18446744073709551616.0)
		return UINT64_MAX;
	return (uint64_t)x;
}

/* A rate with one decimal, by hand: printf's %f follows LC_NUMERIC and
 * could write a decimal comma into the JSON. */
static void json__rate(struct buf *b, const char *name, double x)
{
	uint64_t tenths = json__ns(isfinite(x) ? x * 10.0 : 0.0);

	buf__printf(b, ",\"%s\":%" PRIu64 ".%u", name, tenths / 10, (unsigned)(tenths % 10));
}

static void json__frame(struct buf *b, const char *name, const struct report_frame *f)
{
	buf__printf(b, "\"%s\":{\"func\":", name);
	json__str(b, f->func, sizeof(f->func));
	PUT(b, ",\"file\":");
	json__str(b, f->file, sizeof(f->file));
	buf__printf(b, ",\"line\":%" PRIu32 "}", f->line);
}

void json__site(struct buf *b, const struct report_site *s)
{
	PUT(b, "{\"start_func\":");
	json__str(b, s->start_func, sizeof(s->start_func));
	PUT(b, ",");
	json__frame(b, "go_site", &s->go_site);
	PUT(b, ",");
	json__frame(b, "blocked_at", &s->blocked_at);
	PUT(b, ",\"wait_reason\":");
	if (s->has_wait_reason && s->wait_reason_name[0])
		json__str(b, s->wait_reason_name, sizeof(s->wait_reason_name));
	else
		PUT(b, "null");
	buf__printf(b,
		    ",\"live\":%" PRIu64 ",\"exited\":%" PRIu64 ",\"mean_ns\":%" PRIu64
		    ",\"stddev_ns\":%" PRIu64 ",\"threshold_ns\":%" PRIu64 ",\"suspects\":%" PRIu64
		    ",\"oldest_ns\":%" PRIu64 ",\"suspect_stack_bytes\":%" PRIu64,
		    s->live, s->exited, json__ns(s->mean_ns), json__ns(s->stddev_ns),
		    json__ns(s->threshold_ns), s->suspects, s->oldest_ns, s->suspect_stack_bytes);
	json__rate(b, "leak_per_min", s->leak_per_min);
	buf__printf(b, ",\"growth_alarm\":\"%s\",\"verdict\":\"%s\"}",
		    growth_alarm__name(s->growth_alarm), verdict__name(s->verdict));
}

int json__render(const struct report *r, struct buf *out)
{
	const struct report_header *h;
	size_t i;

	if (!r || !out)
		return -EINVAL;
	h = &r->hdr;
	buf__printf(out, "{\"pid\":%d,\"exe\":", h->pid);
	json__str(out, h->exe, sizeof(h->exe));
	PUT(out, ",\"go_version\":");
	json__str(out, h->go_version, sizeof(h->go_version));
	buf__printf(
	    out, ",\"elapsed_ns\":%" PRIu64 ",\"final\":%s,\"target_exited\":%s,\"live\":%" PRIu64,
	    h->elapsed_ns, r->final ? "true" : "false", h->target_exited ? "true" : "false",
	    h->live);
	json__rate(out, "spawn_rate", h->spawn_rate);
	json__rate(out, "exit_rate", h->exit_rate);
	buf__printf(
	    out,
	    ",\"events\":%" PRIu64 ",\"drops\":%" PRIu64 ",\"evictions\":%" PRIu64
	    ",\"suspects\":%" PRIu64 ",\"suspect_stack_bytes\":%" PRIu64 ",\"gc_cycles\":%" PRIu64,
	    h->events, h->drops, h->evictions, h->suspects, h->suspect_stack_bytes, h->gc_cycles);
	json__rate(out, "growth_per_s", h->growth_per_s);
	buf__printf(out, ",\"growth_alarm\":\"%s\",\"sites\":[",
		    growth_alarm__name(h->growth_alarm));
	for (i = 0; i < r->nsites; i++) {
		if (i)
			PUT(out, ",");
		json__site(out, &r->sites[i]);
	}
	PUT(out, "]}\n");
	return out->oom ? -ENOMEM : 0;
}
