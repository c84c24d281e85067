/* The terminal: the only module that writes escape codes or changes tty
 * modes. Views render plain lines into a buffer and say per line how it
 * should look; this draws them. */
#ifndef LINGER_TERM_H
#define LINGER_TERM_H

#include <stdbool.h>
#include <stddef.h>

struct term;

/* Keys as term__key returns them: a byte for plain keys (UTF-8 comes a
 * byte at a time), these for the rest. */
enum term_key {
	TERM_KEY_NONE = -1,	  /* nothing pending */
	TERM_KEY_ENTER = '\n',	  /* CR or LF */
	TERM_KEY_ESC = 27,	  /* a lone Esc, not the start of a sequence */
	TERM_KEY_BACKSPACE = 127, /* DEL or BS */
	TERM_KEY_UP = 0x100,
	TERM_KEY_DOWN,
	TERM_KEY_LEFT,
	TERM_KEY_RIGHT,
	TERM_KEY_PGUP,
	TERM_KEY_PGDN,
	TERM_KEY_HOME,
	TERM_KEY_END,
	TERM_KEY_DELETE,
	TERM_KEY_SUSPEND, /* Ctrl-Z (the tty's susp key), or a SIGTSTP came */
};

/* How a line looks; or'ed together. */
enum term_attr {
	TERM_BOLD = 1,
	TERM_REVERSE = 2, /* also padded to the full width, a selection bar */
	TERM_RED = 4,	  /* colours: left out when colour is off */
	TERM_YELLOW = 8,
};

/* Takes over the terminal when stdout and stdin are terminals: alternate
 * screen, hidden cursor, keys read one at a time without echo, a SIGWINCH
 * handler (SA_RESTART; the session's epoll wait still returns EINTR, which
 * it takes as a wake-up), job control done by the caller's loop (the tty
 * no longer stops the job on Ctrl-Z: term__key returns TERM_KEY_SUSPEND
 * for it and for a SIGTSTP, whose handler only notes it; see
 * term__suspend), and handlers that give the terminal back before
 * SIGQUIT, SIGABRT or a crash end the process (then chain to whatever
 * handled them before). Started with SIGTSTP ignored (no job control),
 * Ctrl-Z stays ignored. Colour is on unless NO_COLOR is set and not
 * empty (no-color.org). Returns NULL with errno ENOTTY when they are not
 * terminals (callers then print plain text), or another errno. Every exit
 * path must call term__free; an atexit hook restores the terminal too,
 * should exit() come first. Only one term at a time. */
struct term *term__new(void);
/* Restores the terminal as it was and the previous signal handlers. Safe
 * on NULL. */
void term__free(struct term *t);

/* Current window size of stdout, at least 20x5; 80x24 when unknown. t may
 * be NULL. */
void term__size(struct term *t, int *cols, int *rows);
/* Draws a screen of '\n'-separated lines (at most the window's rows),
 * attrs[i] (enum term_attr, NULL: none) for line i. Only lines that
 * changed since the last draw are written, each followed by erase-to-EOL
 * rather than clearing the whole screen first: no flicker. 0 or -errno. */
int term__draw(struct term *t, const char *screen, size_t len, const unsigned char *attrs);
/* The next draw rewrites every line (after a resize, or Ctrl-L). */
void term__invalidate(struct term *t);
/* True once after the window changed size, or after a SIGCONT that
 * term__suspend did not ask for (a SIGSTOP from outside): then the tty
 * modes and the alternate screen are set again, since the shell may have
 * reset them. Time to redraw. Never blocks, except that a job continued in
 * the background stops (SIGTTOU) until it is in the foreground again. */
bool term__resized(struct term *t);
/* A pending key (enum term_key), or TERM_KEY_NONE. Never blocks, except
 * for a few milliseconds after an Esc, to tell a lone Esc from an arrow
 * key's sequence. A noted SIGTSTP comes first, as TERM_KEY_SUSPEND. */
int term__key(struct term *t);
/* Answers TERM_KEY_SUSPEND: gives the terminal back (main screen, the
 * modes it had), then stops: the whole process group for Ctrl-Z, as the
 * tty would have, but only after the hand-over so the shell cannot print
 * "Stopped" before it; linger alone for a SIGTSTP sent to it. Returns
 * once continued (at once if the group is orphaned and the stop is
 * discarded), with the terminal taken again and the next draw rewriting
 * every line. Never hands the modes back when the shell already owns the
 * terminal (it restored its own). 0 or -errno (retaking failed: the next
 * draw still goes out). t may be NULL. */
int term__suspend(struct term *t);

/* Decodes the key at the start of s (n > 0 bytes): sets *used to the bytes
 * it takes and returns the key; TERM_KEY_NONE for a sequence it does not
 * know (skip *used bytes); -2 when s is the start of a sequence that more
 * bytes may complete and more is true (nothing used). Pure. */
int term__decode(const unsigned char *s, size_t n, bool more, size_t *used);
/* Writes the SGR sequence for attrs into dst (NUL-terminated, "" for no
 * attribute), colours only when colour is true. Pure. Returns the length. */
size_t term__sgr(unsigned attrs, bool colour, char *dst, size_t size);
/* Whether colour is wanted given the value of NO_COLOR (NULL: unset). */
bool term__colour_wanted(const char *no_color);

#endif
