/* Golden files of the view tests (table, JSON, metrics): the expected
 * output of a fixture, kept under fixtures/ and compared byte for byte.
 * LINGER_UPDATE_GOLDEN=1 rewrites a file from what the test produced:
 * check the diff by eye. Include after cmocka.h. */
#ifndef LINGER_TEST_GOLDEN_H
#define LINGER_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* The whole file at path, NUL-terminated; the caller frees it. */
static char *golden__read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = calloc(1, (size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return data;
}

/* Fails unless b holds exactly the golden file FIXTURES_DIR/name (after
 * rewriting it when asked to); on a mismatch both go to stderr. */
static void golden__check(const struct buf *b, const char *name)
{
	char path[512];
	char *want;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
	if (getenv("LINGER_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
		fclose(f);
	}
	want = golden__read(path);
	if (strcmp(b->data, want))
		fprintf(stderr, "--- want %s\n%s--- got\n%s", name, want, b->data);
	assert_string_equal(b->data, want);
	free(want);
}

#endif
