/* The report as newline-delimited JSON: one object per refresh, for
 * scripts, CI and agent-mode log streams. */
#ifndef LINGER_JSON_H
#define LINGER_JSON_H

#include "buf.h"
#include "report.h"

/* Appends one line to out: the report as a single JSON object, ending in
 * '\n'. Fields, in this order: pid, exe, go_version, elapsed_ns, final,
 * target_exited, live, spawn_rate, exit_rate, events, drops, evictions,
 * suspects, sites[] with start_func, go_site {func, file, line},
 * blocked_at {func, file, line}, wait_reason (null when the site has none
 * or it has no name), live, exited, mean_ns, stddev_ns, threshold_ns,
 * suspects, oldest_ns, verdict. Counts and nanoseconds are integers
 * (doubles rounded, NaN and negatives as 0), rates have one decimal.
 * Strings are read up to their array's size even without a NUL; quotes,
 * backslashes and control bytes are escaped (\u00XX), other bytes,
 * UTF-8 included, pass through. Returns 0, -EINVAL for a NULL argument,
 * or -ENOMEM (out->oom set; out may hold a partial line). */
int json__render(const struct report *r, struct buf *out);

/* Appends s as a JSON string (quoted, escaped as above), read up to size
 * bytes even without a NUL. */
void json__str(struct buf *b, const char *s, size_t size);

/* Appends one site as the JSON object json__render puts in sites[]. */
void json__site(struct buf *b, const struct report_site *s);

#endif
