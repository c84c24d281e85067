/* Output modes and the live table's interaction. */
#include "ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "json.h"
#include "table.h"
#include "term.h"

/* Plain blocks are not cut to a window: wide enough for long names. */
#define PLAIN_COLS 160
#define PLAIN_ROWS 1000

struct ui {
	bool json;
	struct term *term; /* NULL unless the live table is on a terminal */
	ui_detail_fn detail;
	void *ctx;
	struct buf out;
};

struct ui *ui__new(bool json, ui_detail_fn detail, void *ctx)
{
	struct ui *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->json = json;
	u->detail = detail;
	u->ctx = ctx;
	if (!json) {
		u->term = term__new();
		if (!u->term && errno != ENOTTY) {
			int err = errno;

			free(u);
			errno = err;
			return NULL;
		}
	}
	return u;
}

void ui__free(struct ui *u)
{
	if (!u)
		return;
	term__free(u->term);
	buf__free(&u->out);
	free(u);
}

static int write_out(struct ui *u)
{
	int err = 0;

	if (fwrite(u->out.data, 1, u->out.len, stdout) != u->out.len)
		err = -EIO;
	if (fflush(stdout))
		err = -EIO;
	return err;
}

/* A report that stays: one JSON line, or a plain table and a blank line. */
static int ui__print(struct ui *u, const struct report *r)
{
	int err;

	buf__reset(&u->out);
	if (u->json)
		err = json__render(r, &u->out);
	else if (!(err = table__render(r, PLAIN_COLS, PLAIN_ROWS, &u->out)))
		err = buf__append(&u->out, "\n", 1);
	return err ? err : write_out(u);
}

int ui__show(struct ui *u, const struct report *r)
{
	int cols, rows, err;

	if (!u->term)
		return ui__print(u, r);
	term__size(u->term, &cols, &rows);
	buf__reset(&u->out);
	err = table__render(r, cols, rows, &u->out);
	return err ? err : term__draw(u->term, u->out.data, u->out.len);
}

bool ui__input(struct ui *u)
{
	int key;
	bool quit = false;

	while (u->term && (key = term__key(u->term)) >= 0)
		if (key == 'q' || key == 'Q')
			quit = true;
	return quit;
}

int ui__finish(struct ui *u, const struct report *r)
{
	term__free(u->term);
	u->term = NULL;
	return ui__print(u, r);
}
