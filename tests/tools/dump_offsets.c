/* dump_offsets: prints the runtime struct offsets that linger reads from a
 * Go binary's DWARF (gobin__offsets), or checks them against the built-in
 * table for stripped binaries (runtime_offsets__lookup). Used by
 * scripts/gen-offsets.sh to generate runtime/offsets.c and by
 * tests/integration/test_offsets.sh to check it.
 *
 * USAGE
 *   dump_offsets [-v] BINARY          one line: go1.N.P field=value ...
 *   dump_offsets [-v] --check BINARY  compare DWARF with the table
 *
 * Exit status: 0; 1 when the binary has no Go version or DWARF offsets, or
 * with --check on any mismatch or a version missing from the table; 2 for
 * bad usage. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gobin.h"
#include "goversion.h"
#include "log.h"
#include "offsets.h"

struct field {
	const char *name;
	size_t off; /* offsetof(struct go_offsets, ...) */
	bool is_signed;
};

#define FIELD(f, s)                                                                                \
	{                                                                                          \
#f, offsetof(struct go_offsets, f), s                                              \
	}

/* In struct go_offsets order, which is the order of the printed line. */
static const struct field fields[] = {
    FIELD(g_goid, false),	FIELD(g_gopc, false),
    FIELD(g_startpc, false),	FIELD(g_atomicstatus, false),
    FIELD(g_waitreason, false), FIELD(g_waitsince, false),
    FIELD(g_m, false),		FIELD(g_sched, false),
    FIELD(g_parent_goid, true), FIELD(gobuf_pc, false),
    FIELD(gobuf_sp, false),	FIELD(gobuf_bp, false),
    FIELD(m_curg, false),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* A field added to struct go_offsets must be added above, or the generated
 * table would leave it 0. */
_Static_assert(sizeof(struct go_offsets) == NFIELDS * sizeof(uint32_t),
	       "fields[] does not list every member of struct go_offsets");

static long long field_value(const struct go_offsets *o, const struct field *f)
{
	const char *p = (const char *)o + f->off;

	if (f->is_signed)
		return *(const int32_t *)p;
	return *(const uint32_t *)p;
}

static void usage(void)
{
	fprintf(stderr, "usage: dump_offsets [-v] [--check] BINARY\n");
}

/* Reads the Go version and DWARF offsets of path. 0 or -errno, with a
 * message on stderr. */
static int read_binary(const char *path, char *version, size_t versionlen, struct goversion *gv,
		       struct go_offsets *off)
{
	struct gobin *gb;
	const char *v;
	int err;

	gb = gobin__open(path);
	if (!gb) {
		err = -errno;
		warn("%s: %s", path, strerror(errno));
		return err;
	}
	v = gobin__go_version(gb);
	if (!v || goversion__parse(v, gv)) {
		warn("%s: no Go version in .go.buildinfo", path);
		err = -ENOEXEC;
		goto cleanup;
	}
	snprintf(version, versionlen, "%s", v);
	err = gobin__offsets(gb, off);
	if (err)
		warn("%s: no runtime offsets in DWARF: %s (-v says which)", path, strerror(-err));
cleanup:
	gobin__free(gb);
	return err;
}

static int dump(const char *version, const struct go_offsets *off)
{
	size_t i;

	printf("%s", version);
	for (i = 0; i < NFIELDS; i++)
		printf(" %s=%lld", fields[i].name, field_value(off, &fields[i]));
	printf("\n");
	return 0;
}

static int check(const char *path, const char *version, const struct goversion *gv,
		 const struct go_offsets *dwarf)
{
	struct go_offsets table;
	int bad = 0;
	size_t i;

	if (gv->major != 1 || runtime_offsets__lookup(gv->minor, &table)) {
		printf("FAIL %s %s: no table entry for go1.%d\n", version, path, gv->minor);
		return 1;
	}
	for (i = 0; i < NFIELDS; i++) {
		long long d = field_value(dwarf, &fields[i]), t = field_value(&table, &fields[i]);

		if (d == t)
			continue;
		printf("FAIL %s %s: %s is %lld in DWARF, %lld in the table\n", version, path,
		       fields[i].name, d, t);
		bad = 1;
	}
	if (!bad)
		printf("ok %s %s\n", version, path);
	return bad;
}

int main(int argc, char **argv)
{
	struct go_offsets off;
	struct goversion gv;
	char version[64];
	bool do_check = false;
	const char *path = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			log_verbose = true;
		else if (!strcmp(argv[i], "--check"))
			do_check = true;
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if (!path) {
		usage();
		return 2;
	}
	if (read_binary(path, version, sizeof(version), &gv, &off))
		return 1;
	if (do_check)
		return check(path, version, &gv, &off);
	return dump(version, &off);
}
