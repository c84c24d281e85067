/* What a person sees: the live table on a terminal (keys, selection,
 * detail), plain text blocks when stdout is not a terminal, or JSON lines.
 * The session hands it each report; it decides what to draw. */
#ifndef LINGER_UI_H
#define LINGER_UI_H

#include <stdbool.h>

#include "report.h"

struct ui;

/* Fills the full stacks of one site, for the detail view. 0 or -errno. */
typedef int (*ui_detail_fn)(void *ctx, const struct report_site *site, struct site_detail *out);

/* Chooses the output: JSON lines when json, else the live table when
 * stdin and stdout are terminals, else plain text blocks. Returns NULL
 * with errno on failure. */
struct ui *ui__new(bool json, ui_detail_fn detail, void *ctx);
/* Restores the terminal. Safe on NULL; must run on every exit path. */
void ui__free(struct ui *u);

/* Shows a refresh. The ui keeps what it needs of r to redraw on keys. */
int ui__show(struct ui *u, const struct report *r);
/* Handles pending keys and window changes without blocking. Returns true
 * once the user asked to quit. */
bool ui__input(struct ui *u);
/* Shows the final report where it stays: the terminal is restored first,
 * then the report is printed as plain text (or one JSON line). */
int ui__finish(struct ui *u, const struct report *r);

#endif
