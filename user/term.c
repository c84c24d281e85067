/* Drawing on a terminal with plain ANSI sequences, reading its keys, and
 * giving it back as it was however linger ends.
 *
 * The tty state lives in file statics rather than in struct term: the
 * fatal-signal handlers and the atexit hook can reach nothing else, and
 * there is only one terminal.
 *
 * Job control is done by the main loop, not by signal handlers. Left to
 * the tty, Ctrl-Z sends SIGTSTP to the whole foreground job at once: a
 * shell wrapper in it (bash -c 'linger ...; echo') stops in the kernel at
 * once, and its shell takes the terminal back and prints "Stopped" while
 * linger may not have run yet. linger's hand-over then comes too late: its
 * escape codes land after the shell's prompt, and its tcsetattr from the
 * background draws a SIGTTOU that stops it inside the handover, to be
 * continued by fg into a half-done suspend. So the tty's susp key is
 * turned off while linger has the terminal and read as a key: linger gives
 * the terminal back first and then stops its group itself. */
#include "term.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"

#define ESC_WAIT_MS 30 /* after an Esc, how long the rest of a sequence may take */

/* Alternate screen, hidden cursor, home; and back: attributes off, cursor
 * shown, main screen. */
#define ENTER_SEQ "\033[?1049h\033[?25l\033[H\033[2J"
#define LEAVE_SEQ "\033[0m\033[?25h\033[?1049l"

/* Signals that end the process without passing through ui__free: the
 * terminal is given back before they take effect. */
static const int fatal_sigs[] = {SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
#define NFATAL (sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))

static struct sigaction fatal_old[NFATAL];
static struct termios tty_saved, tty_raw;
static volatile sig_atomic_t tty_taken; /* the terminal is in our modes now */
static volatile sig_atomic_t winched;
static volatile sig_atomic_t tstp_pending; /* a SIGTSTP came: suspend from the loop */
static volatile sig_atomic_t conted;	   /* a SIGCONT came */
static bool atexit_set;

struct term {
	bool colour;
	bool full; /* next draw rewrites every line */
	int cols, rows;
	struct buf frame;
	struct buf prev; /* the screen last drawn, to skip unchanged lines */
	unsigned char *prev_attr;
	size_t prev_cap;
	int prev_n;
	unsigned char in[64]; /* bytes read, not yet decoded */
	size_t inlen;
	struct sigaction old_winch, old_tstp, old_cont;
	bool tstp_handled;
	int susp;	 /* the tty's suspend byte (Ctrl-Z), read as a key; -1: none */
	bool stop_group; /* the suspend pending is Ctrl-Z's, not a SIGTSTP's */
};

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Async-signal-safe: write and tcsetattr only. */
static void tty_leave(void)
{
	if (!tty_taken)
		return;
	tty_taken = 0;
	write_all(STDOUT_FILENO, LEAVE_SEQ, sizeof(LEAVE_SEQ) - 1);
	tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
}

static int tty_enter(void)
{
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tty_raw))
		return -errno;
	tty_taken = 1;
	return write_all(STDOUT_FILENO, ENTER_SEQ, sizeof(ENTER_SEQ) - 1);
}

static void on_exit_restore(void)
{
	tty_leave();
}

static void on_winch(int sig)
{
	(void)sig;
	winched = 1;
}

static void set_handler(int sig, void (*fn)(int), struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, old);
}

/* A SIGTSTP sent to linger (Ctrl-Z no longer makes one): only noted, so
 * that the hand-over never runs beside a draw; the loop's epoll wait
 * returns EINTR and term__key passes it on. */
static void on_tstp(int sig)
{
	(void)sig;
	tstp_pending = 1;
}

static void on_cont(int sig)
{
	(void)sig;
	conted = 1;
}

/* Gives the terminal back, then lets the signal do what it did before
 * (default action, or a sanitizer's handler): a fault comes again as the
 * faulting instruction is retried; anything else (Ctrl-\, abort(), kill)
 * is raised again, delivered once this handler returns. */
static void on_fatal(int sig, siginfo_t *info, void *uctx)
{
	bool fault = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE;
	size_t i;

	(void)uctx;
	tty_leave();
	for (i = 0; i < NFATAL; i++)
		if (fatal_sigs[i] == sig)
			sigaction(sig, &fatal_old[i], NULL);
	if (!fault || !info || info->si_code <= 0)
		raise(sig);
}

static void fatal_handlers(bool on)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NFATAL; i++)
		if (on)
			sigaction(fatal_sigs[i], &sa, &fatal_old[i]);
		else
			sigaction(fatal_sigs[i], &fatal_old[i], NULL);
}

bool term__colour_wanted(const char *no_color)
{
	return !no_color || !no_color[0];
}

struct term *term__new(void)
{
	struct term *t;
	int err;

	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		errno = ENOTTY;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (tcgetattr(STDIN_FILENO, &tty_saved)) {
		err = errno;
		free(t);
		errno = err;
		return NULL;
	}
	tty_raw = tty_saved;
	/* Keys arrive one at a time, unechoed; ISIG stays so Ctrl-C still
	 * reaches the SIGINT handler that ends the run cleanly. */
	tty_raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	tty_raw.c_cc[VMIN] = 0;
	tty_raw.c_cc[VTIME] = 0;
	/* Started with SIGTSTP ignored (no job control), Ctrl-Z stays with
	 * the tty, ignored; else it becomes a key (see the top). */
	sigaction(SIGTSTP, NULL, &t->old_tstp);
	t->tstp_handled = t->old_tstp.sa_handler != SIG_IGN;
	t->susp = -1;
	if (t->tstp_handled && tty_saved.c_cc[VSUSP] != _POSIX_VDISABLE) {
		t->susp = tty_saved.c_cc[VSUSP];
		tty_raw.c_cc[VSUSP] = _POSIX_VDISABLE;
	}
	t->colour = term__colour_wanted(getenv("NO_COLOR"));
	t->full = true;
	if (!atexit_set && !atexit(on_exit_restore))
		atexit_set = true;
	err = tty_enter();
	if (err) {
		tty_leave();
		free(t);
		errno = -err;
		return NULL;
	}
	winched = 0;
	tstp_pending = 0;
	conted = 0;
	fatal_handlers(true);
	set_handler(SIGWINCH, on_winch, &t->old_winch);
	set_handler(SIGCONT, on_cont, &t->old_cont);
	if (t->tstp_handled)
		set_handler(SIGTSTP, on_tstp, NULL);
	return t;
}

void term__free(struct term *t)
{
	if (!t)
		return;
	if (t->tstp_handled)
		sigaction(SIGTSTP, &t->old_tstp, NULL);
	sigaction(SIGCONT, &t->old_cont, NULL);
	sigaction(SIGWINCH, &t->old_winch, NULL);
	fatal_handlers(false);
	tty_leave();
	buf__free(&t->frame);
	buf__free(&t->prev);
	free(t->prev_attr);
	free(t);
}

void term__size(struct term *t, int *cols, int *rows)
{
	struct winsize ws;

	(void)t;
	*cols = 80;
	*rows = 24;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
	if (*cols < 20)
		*cols = 20;
	if (*rows < 5)
		*rows = 5;
}

void term__invalidate(struct term *t)
{
	if (t)
		t->full = true;
}

bool term__resized(struct term *t)
{
	if (!t)
		return false;
	if (conted) {
		/* Stopped by a SIGSTOP, which no handler sees: the shell that
		 * saw the job stop reset the modes and wrote on the screen. */
		conted = 0;
		if (tty_taken)
			(void)tty_enter();
		winched = 1;
	}
	if (!winched)
		return false;
	winched = 0;
	t->full = true;
	return true;
}

size_t term__sgr(unsigned attrs, bool colour, char *dst, size_t size)
{
	char s[32] = "\033[0";
	size_t n;

	if (!colour)
		attrs &= ~(unsigned)(TERM_RED | TERM_YELLOW);
	if (attrs & TERM_BOLD)
		strcat(s, ";1");
	if (attrs & TERM_REVERSE)
		strcat(s, ";7");
	if (attrs & TERM_RED)
		strcat(s, ";31");
	else if (attrs & TERM_YELLOW)
		strcat(s, ";33");
	strcat(s, "m");
	if (!attrs)
		s[0] = '\0';
	n = strlen(s);
	if (!size)
		return 0;
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return n;
}

/* Columns of a line, one per UTF-8 code point, as the views count them. */
static int line_cols(const char *s, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Remembers what is on the screen now. */
static int term__keep(struct term *t, const char *screen, size_t len, const unsigned char *attrs,
		      int n)
{
	if ((size_t)n > t->prev_cap) {
		unsigned char *a = realloc(t->prev_attr, (size_t)n);

		if (!a)
			return -ENOMEM;
		t->prev_attr = a;
		t->prev_cap = (size_t)n;
	}
	for (int i = 0; i < n; i++)
		t->prev_attr[i] = attrs ? attrs[i] : 0;
	buf__reset(&t->prev);
	if (buf__append(&t->prev, screen, len))
		return -ENOMEM;
	t->prev_n = n;
	return 0;
}

int term__draw(struct term *t, const char *screen, size_t len, const unsigned char *attrs)
{
	const char *p = screen, *end = screen + len, *pp = t->prev.data;
	const char *pend = t->prev.data ? t->prev.data + t->prev.len : NULL;
	char sgr[32];
	int cols, rows, i, w;

	term__size(t, &cols, &rows);
	if (cols != t->cols || rows != t->rows)
		t->full = true;
	t->cols = cols;
	t->rows = rows;
	buf__reset(&t->frame);
	for (i = 0; p < end && i < rows; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned attr = attrs ? attrs[i] : 0;
		const char *pnl = NULL;
		size_t pn = 0;
		bool same = false;

		if (pp && pp < pend) {
			pnl = memchr(pp, '\n', (size_t)(pend - pp));
			pn = pnl ? (size_t)(pnl - pp) : (size_t)(pend - pp);
			same = !t->full && i < t->prev_n && t->prev_attr[i] == attr && pn == n &&
			       !memcmp(pp, p, n);
			pp = pnl ? pnl + 1 : pend;
		}
		if (!same) {
			buf__printf(&t->frame, "\033[%d;1H", i + 1);
			term__sgr(attr, t->colour, sgr, sizeof(sgr));
			buf__append(&t->frame, sgr, strlen(sgr));
			buf__append(&t->frame, p, n);
			w = line_cols(p, n);
			/* A selection is a bar across the whole width. */
			if ((attr & TERM_REVERSE) && w < cols) {
				buf__printf(&t->frame, "%*s", cols - w, "");
				w = cols;
			}
			if (sgr[0])
				buf__append(&t->frame, "\033[m", 3);
			/* Erase what the previous frame left to the right,
			 * instead of clearing the screen: no flicker. Not on a
			 * full line: there the cursor waits on the last column,
			 * and erasing would take that character. */
			if (w < cols)
				buf__append(&t->frame, "\033[K", 3);
		}
		p = nl ? nl + 1 : end;
	}
	if ((t->full || t->prev_n > i) && i < rows)
		buf__printf(&t->frame, "\033[%d;1H\033[J", i + 1);
	if (t->frame.oom)
		return -ENOMEM;
	if (term__keep(t, screen, (size_t)(p - screen), attrs, i))
		return -ENOMEM;
	t->full = false;
	return t->frame.len ? write_all(STDOUT_FILENO, t->frame.data, t->frame.len) : 0;
}

/* The key a CSI or SS3 sequence ends in: final byte f, first parameter. */
static int csi_key(unsigned char f, int param)
{
	switch (f) {
	case 'A':
		return TERM_KEY_UP;
	case 'B':
		return TERM_KEY_DOWN;
	case 'C':
		return TERM_KEY_RIGHT;
	case 'D':
		return TERM_KEY_LEFT;
	case 'H':
		return TERM_KEY_HOME;
	case 'F':
		return TERM_KEY_END;
	case '~':
		switch (param) {
		case 1:
		case 7:
			return TERM_KEY_HOME;
		case 4:
		case 8:
			return TERM_KEY_END;
		case 3:
			return TERM_KEY_DELETE;
		case 5:
			return TERM_KEY_PGUP;
		case 6:
			return TERM_KEY_PGDN;
		}
	}
	return TERM_KEY_NONE;
}

int term__decode(const unsigned char *s, size_t n, bool more, size_t *used)
{
	bool first = true;
	size_t i;
	int param = 0;

	*used = 1;
	if (s[0] == '\r' || s[0] == '\n')
		return TERM_KEY_ENTER;
	if (s[0] == 0x7f || s[0] == 0x08)
		return TERM_KEY_BACKSPACE;
	if (s[0] != 27)
		return s[0];
	if (n == 1)
		return more ? -2 : TERM_KEY_ESC;
	if (s[1] != '[' && s[1] != 'O')
		return TERM_KEY_ESC; /* Alt+key, or Esc typed just before a key */
	/* CSI: parameters 0x30-0x3f, intermediates 0x20-0x2f, a final byte
	 * 0x40-0x7e. SS3 (ESC O) has just the final byte. */
	i = 2;
	if (s[1] == '[') {
		/* Only the first parameter matters: "5~" is PgUp, "1;5A" a
		 * Ctrl-Up, which moves like Up. */
		for (; i < n && s[i] >= 0x30 && s[i] <= 0x3f; i++) {
			if (s[i] == ';')
				first = false;
			else if (first && s[i] >= '0' && s[i] <= '9' && param < 1000)
				param = param * 10 + (s[i] - '0');
		}
		for (; i < n && s[i] >= 0x20 && s[i] <= 0x2f; i++)
			;
	}
	if (i >= n) {
		if (more)
			return -2;
		*used = n;
		return TERM_KEY_NONE;
	}
	*used = i + 1;
	if (s[i] < 0x40 || s[i] > 0x7e)
		return TERM_KEY_NONE;
	return csi_key(s[i], param);
}

static void term__fill(struct term *t)
{
	ssize_t n;

	if (t->inlen >= sizeof(t->in))
		return;
	n = read(STDIN_FILENO, t->in + t->inlen, sizeof(t->in) - t->inlen);
	if (n > 0)
		t->inlen += (size_t)n;
}

int term__key(struct term *t)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	size_t used;
	int key;

	if (tstp_pending) {
		tstp_pending = 0;
		t->stop_group = false;
		return TERM_KEY_SUSPEND;
	}
	for (;;) {
		if (!t->inlen)
			term__fill(t);
		if (!t->inlen)
			return TERM_KEY_NONE;
		if (t->susp >= 0 && t->in[0] == (unsigned char)t->susp) {
			memmove(t->in, t->in + 1, t->inlen - 1);
			t->inlen--;
			t->stop_group = true;
			return TERM_KEY_SUSPEND;
		}
		key = term__decode(t->in, t->inlen, true, &used);
		if (key == -2) {
			/* An Esc alone, or a sequence cut between reads: wait a
			 * moment for the rest before taking it as it is. */
			if (poll(&p, 1, ESC_WAIT_MS) > 0)
				term__fill(t);
			key = term__decode(t->in, t->inlen, false, &used);
		}
		memmove(t->in, t->in + used, t->inlen - used);
		t->inlen -= used;
		if (key != TERM_KEY_NONE)
			return key;
	}
}

int term__suspend(struct term *t)
{
	sigset_t ttou, old;

	if (!t || !t->tstp_handled)
		return 0;
	/* With SIGTTOU blocked, the hand-over cannot be stopped half done
	 * when the shell has the terminal already (a SIGTSTP sent to the
	 * whole job); the shell restored its own modes then: keep them. */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (tty_taken) {
		tty_taken = 0;
		write_all(STDOUT_FILENO, LEAVE_SEQ, sizeof(LEAVE_SEQ) - 1);
		if (tcgetpgrp(STDIN_FILENO) == getpgrp())
			tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* A signal to ourselves is delivered before kill returns: linger
	 * stops here, and goes on from here once continued. Ctrl-Z stops the
	 * group, as the tty would have; a SIGTSTP stops only who got it. */
	set_handler(SIGTSTP, SIG_DFL, NULL);
	if (t->stop_group)
		kill(0, SIGTSTP);
	else
		raise(SIGTSTP);
	set_handler(SIGTSTP, on_tstp, NULL);
	conted = 0;
	t->full = true;
	/* In the background after bg, this stops on SIGTTOU until fg. */
	return tty_enter();
}
