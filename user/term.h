/* The terminal: the only module that writes escape codes or changes tty
 * modes. Views render plain lines into a buffer; this draws them. */
#ifndef LINGER_TERM_H
#define LINGER_TERM_H

#include <stddef.h>

struct term;

/* Takes over the terminal when stdout and stdin are terminals: alternate
 * screen, hidden cursor, keys read one at a time without echo. Returns
 * NULL with errno ENOTTY when they are not (callers then print plain text),
 * or another errno. Every exit path must call term__free to restore. */
struct term *term__new(void);
/* Restores the terminal as it was. Safe on NULL and idempotent. */
void term__free(struct term *t);

/* Current window size, at least 20x5. */
void term__size(struct term *t, int *cols, int *rows);
/* Draws a screen of '\n'-separated lines over the previous one, without
 * clearing the whole screen first (no flicker). 0 or -errno. */
int term__draw(struct term *t, const char *screen, size_t len);
/* A pending key, or -1 when none. Never blocks. */
int term__key(struct term *t);

#endif
