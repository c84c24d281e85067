/* runtime_offsets__lookup, the table for binaries without DWARF: its edges,
 * the facts every row must satisfy, and agreement with the DWARF of
 * TARGETS_DIR/gotiny (built with the system Go). Other Go versions are
 * checked by tests/integration/test_offsets.sh (ctest label "matrix"). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "gobin.h"
#include "goversion.h"
#include "offsets.h"

#define GOTINY TARGETS_DIR "/gotiny"

static void unknown_versions(void **state)
{
	static const int minors[] = {-1, 0, 16, 20, 99, 1000};
	struct go_offsets o, canary;
	size_t i;

	(void)state;
	memset(&canary, 0xa5, sizeof(canary));
	for (i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		o = canary;
		assert_int_equal(runtime_offsets__lookup(minors[i], &o), -ENOENT);
		assert_memory_equal(&o, &canary, sizeof(o));
	}
}

/* Facts from the research notes (go-runtime.md 4.1) that the generated
 * table must keep. */
static void known_versions(void **state)
{
	struct go_offsets o;
	int minor;

	(void)state;
	for (minor = 17; minor <= 27; minor++) {
		if (minor == 20)
			continue;
		assert_int_equal(runtime_offsets__lookup(minor, &o), 0);
		assert_int_equal(o.g_m, 48);
		assert_int_equal(o.g_sched, 56);
		assert_int_equal(o.gobuf_sp, 0);
		assert_int_equal(o.gobuf_pc, 8);
		assert_int_equal(o.g_goid, minor == 23 || minor == 24 ? 160 : 152);
		assert_int_equal(o.g_atomicstatus, o.g_goid - 8);
		assert_int_equal(o.g_waitreason, o.g_goid + 24);
		assert_int_equal(o.gobuf_bp, minor >= 25 ? 40 : 48);
		assert_int_equal(o.m_curg, minor >= 25 ? 184 : 192);
		if (minor < 21) {
			assert_int_equal(o.g_parent_goid, -1);
		} else {
			assert_true(o.g_parent_goid > (int32_t)o.g_waitsince);
			assert_true((uint32_t)o.g_parent_goid < o.g_gopc);
		}
		assert_true(o.g_gopc < o.g_startpc);
	}
}

static void matches_dwarf_of_gotiny(void **state)
{
	struct go_offsets dwarf, table;
	struct goversion v;
	struct gobin *gb;

	(void)state;
	gb = gobin__open(GOTINY);
	assert_non_null(gb);
	assert_non_null(gobin__go_version(gb));
	assert_int_equal(goversion__parse(gobin__go_version(gb), &v), 0);
	assert_int_equal(gobin__offsets(gb, &dwarf), 0);
	assert_int_equal(runtime_offsets__lookup(v.minor, &table), 0);
	assert_memory_equal(&dwarf, &table, sizeof(dwarf));
	gobin__free(gb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unknown_versions),
	    cmocka_unit_test(known_versions),
	    cmocka_unit_test(matches_dwarf_of_gotiny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
