/* A main() for the fuzz harnesses when they are not linked with libFuzzer:
 * runs LLVMFuzzerTestOneInput once on every file named on the command line
 * and on every regular file of every directory named there (not
 * recursive), in sorted order, and prints one line per directory. This is
 * how ctest replays the committed corpora and crash regressions in any
 * build, sanitized or not; a harness that crashes kills the run, which is
 * the test failing. An empty or missing directory is not an error: a
 * harness may have no regressions yet. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Runs the harness on the file at path. 0 or -errno. */
static int run_file(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	long size;
	FILE *f;
	int err = 0;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		err = -EIO;
		goto cleanup;
	}
	/* A copy of exactly the file's bytes, so ASan sees reads past the end. */
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		err = -ENOMEM;
		goto cleanup;
	}
	len = fread(buf, 1, (size_t)size, f);
	if (len != (size_t)size) {
		err = -EIO;
		goto cleanup;
	}
	LLVMFuzzerTestOneInput(buf, len);
cleanup:
	free(buf);
	fclose(f);
	return err;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs every regular file of dir. Returns how many ran, or -errno. */
static int run_dir(const char *dir)
{
	struct dirent **ents = NULL;
	char path[4096];
	int n, i, ran = 0, err = 0;

	n = scandir(dir, &ents, NULL, by_name);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct stat st;

		if (!err && ents[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name) <
			(int)sizeof(path) &&
		    !stat(path, &st) && S_ISREG(st.st_mode)) {
			err = run_file(path);
			if (err)
				fprintf(stderr, "replay: %s: %s\n", path, strerror(-err));
			else
				ran++;
		}
		free(ents[i]);
	}
	free(ents);
	return err ? err : ran;
}

int main(int argc, char **argv)
{
	int i, r, failed = 0;
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (!stat(argv[i], &st) && S_ISREG(st.st_mode)) {
			r = run_file(argv[i]);
			r = r ? r : 1;
		} else {
			r = run_dir(argv[i]);
		}
		if (r < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(-r));
			failed = 1;
			continue;
		}
		printf("replay: %s: %d inputs\n", argv[i], r);
	}
	return failed;
}
