/* The live table's view: one screen of plain text from a report, like top.
 * Pure: no terminal, no clock, no locale; colour and cursor control belong
 * to the terminal module, which paints what this returns. */
#ifndef LINGER_TABLE_H
#define LINGER_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "report.h"

/* Appends one screen to out: at most height lines, each ending in '\n',
 * each at most width display columns (UTF-8 counted by code point, so the
 * header's σ and the title's — are one column each), cut, never wrapped,
 * trailing spaces trimmed:
 *   linger — PID <pid> <exe> (<go_version>)   up <elapsed>
 *   goroutines <live> live  spawn <r>/s  exit <r>/s  events <n>  drops <n>
 *     evictions <n>  suspects <n>[  [target exited]]       (one line; when
 *     wider than the screen, drops and evictions are left out if zero)
 *   (blank)
 *   VERDICT SUSPECTS LIVE EXITED MEAN σ THRESHOLD OLDEST WAIT REASON
 *     CREATED AT BLOCKED AT                                 (one line)
 *   one row per site in the report's order, then "… N more sites" when
 *   they do not all fit (N is then at least 2).
 * CREATED AT and BLOCKED AT are "func file:line" with the file's basename
 * (the gopc in hex when the go site has no symbol) and share the width left
 * by the other columns; a cell that does not fit ends in '~', except that a
 * location keeps its "file:line" and loses its function name first. When
 * that share would fall under 14 columns each, the columns that only
 * explain the threshold are dropped, in this order: σ, MEAN, EXITED,
 * THRESHOLD (at 80 columns all four go, at 120 none), then WAIT REASON
 * narrows down to 12. Unknown values show as "-" (MEAN without exits, σ
 * under two, THRESHOLD while warming, OLDEST with no live goroutine, WAIT
 * REASON without a name). Control characters in names show as '?'.
 * Returns 0, -EINVAL for a NULL argument or width < 1, or -ENOMEM.
 * height <= 0 appends nothing. */
int table__render(const struct report *r, int width, int height, struct buf *out);

/* Writes a duration for humans into dst (NUL-terminated, cut to size):
 * "850ns", "1.5µs", "850µs", "1.5ms", "12ms", "1.5s", "42s", "5m02s",
 * "3h04m", "2d03h", "365d"; rounded to the unit shown. At most 6 columns
 * below 10000 days. Returns the number of bytes written (µ is two). */
size_t table__fmt_duration(uint64_t ns, char *dst, size_t size);

/* Writes a count for humans: "999", "1.2k", "15k", "1.2M", up to "E";
 * rounded, at most 4 columns. Returns the number of bytes written. */
size_t table__fmt_count(uint64_t n, char *dst, size_t size);

#endif
