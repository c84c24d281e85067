/* Drawing on a terminal with plain ANSI sequences. */
#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"

struct term {
	struct termios saved;
	bool active;
	struct buf frame;
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

static void put(const char *s)
{
	write_all(STDOUT_FILENO, s, strlen(s));
}

struct term *term__new(void)
{
	struct termios raw;
	struct term *t;

	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		errno = ENOTTY;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (tcgetattr(STDIN_FILENO, &t->saved)) {
		int err = errno;

		free(t);
		errno = err;
		return NULL;
	}
	raw = t->saved;
	/* Keys arrive one at a time, unechoed; ISIG stays so Ctrl-C still
	 * reaches the SIGINT handler that ends the run cleanly. */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	t->active = true;
	put("\033[?1049h\033[?25l\033[H\033[2J");
	return t;
}

void term__free(struct term *t)
{
	if (!t)
		return;
	if (t->active) {
		put("\033[?25h\033[?1049l");
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
		t->active = false;
	}
	buf__free(&t->frame);
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

int term__draw(struct term *t, const char *screen, size_t len)
{
	const char *p = screen, *end = screen + len;

	buf__reset(&t->frame);
	buf__append(&t->frame, "\033[H", 3);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		buf__append(&t->frame, p, n);
		/* Erase what the previous frame left to the right, then move
		 * on, instead of clearing the screen: no flicker. */
		buf__append(&t->frame, "\033[K", 3);
		p += n;
		if (nl) {
			p++;
			if (p < end)
				buf__append(&t->frame, "\r\n", 2);
		}
	}
	buf__append(&t->frame, "\033[J", 3);
	if (t->frame.oom)
		return -ENOMEM;
	return write_all(STDOUT_FILENO, t->frame.data, t->frame.len);
}

int term__key(struct term *t)
{
	unsigned char c;

	(void)t;
	if (read(STDIN_FILENO, &c, 1) == 1)
		return c;
	return -1;
}
