/* A growable text buffer: the views render into it, tests compare it. */
#ifndef LINGER_BUF_H
#define LINGER_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated while len > 0 or after any append */
	size_t len;
	size_t cap;
	int oom; /* set once an allocation failed; later appends are no-ops */
};

/* Appends formatted text. Returns 0 or -ENOMEM (and sets b->oom). */
int buf__printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends len bytes. Returns 0 or -ENOMEM. */
int buf__append(struct buf *b, const char *s, size_t len);
/* Empties the buffer, keeping its memory. */
void buf__reset(struct buf *b);
/* Frees the memory; the struct may be reused after. Safe on a zeroed buf. */
void buf__free(struct buf *b);

#endif
