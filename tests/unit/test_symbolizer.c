/* symbolizer on TARGETS_DIR/gotiny: names from .symtab, file:line from the
 * DWARF line tables, and the per-address cache. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "gobin.h"
#include "symbolizer.h"

#define GOTINY TARGETS_DIR "/gotiny"

struct fixture {
	struct gobin *gb;
	struct symbolizer *s;
};

static int setup(void **state)
{
	static struct fixture f;

	f.gb = gobin__open(GOTINY);
	if (!f.gb) {
		fprintf(stderr, "cannot open %s: %s\n", GOTINY, strerror(errno));
		return -1;
	}
	f.s = symbolizer__new(f.gb);
	if (!f.s)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	symbolizer__free(f->s);
	gobin__free(f->gb);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void go_function(void **state)
{
	struct fixture *f = *state;
	struct gobin_sym sym;
	struct symbolized a, b;

	assert_int_equal(gobin__symbol(f->gb, "main.spawnOne", &sym), 0);
	assert_int_equal(symbolizer__lookup(f->s, sym.vaddr, &a), 0);
	assert_string_equal(a.func, "main.spawnOne");
	assert_non_null(a.file);
	assert_true(ends_with(a.file, "main.go"));
	assert_true(a.line > 0);

	/* The last byte still belongs to the function. */
	assert_int_equal(symbolizer__lookup(f->s, sym.vaddr + sym.size - 1, &b), 0);
	assert_string_equal(b.func, "main.spawnOne");

	/* A runtime function resolves to the runtime's source. */
	assert_int_equal(gobin__symbol(f->gb, "runtime.gopark", &sym), 0);
	assert_int_equal(symbolizer__lookup(f->s, sym.vaddr + 4, &b), 0);
	assert_string_equal(b.func, "runtime.gopark");
	assert_non_null(b.file);
	assert_true(ends_with(b.file, "runtime/proc.go"));
	assert_true(b.line > 0);
}

static void outside(void **state)
{
	struct fixture *f = *state;
	struct symbolized out = {"x", "y", 7};

	assert_int_equal(symbolizer__lookup(f->s, 0, &out), -ENOENT);
	assert_null(out.func);
	assert_null(out.file);
	assert_int_equal(out.line, 0);
	/* Asked again: the negative answer comes from the cache, the same. */
	out.func = "x";
	assert_int_equal(symbolizer__lookup(f->s, 0, &out), -ENOENT);
	assert_null(out.func);
	assert_int_equal(symbolizer__lookup(f->s, UINT64_MAX, &out), -ENOENT);
}

static void cached(void **state)
{
	struct fixture *f = *state;
	struct gobin_sym sym;
	struct symbolized a, b;

	assert_int_equal(gobin__symbol(f->gb, "runtime.newproc1", &sym), 0);
	assert_int_equal(symbolizer__lookup(f->s, sym.vaddr + 1, &a), 0);
	assert_int_equal(symbolizer__lookup(f->s, sym.vaddr + 1, &b), 0);
	assert_ptr_equal(a.func, b.func);
	assert_ptr_equal(a.file, b.file);
	assert_int_equal(a.line, b.line);

	/* Tens of thousands of other addresses grow the cache past its limit,
	 * and the answer for the first one is still the same pointers. */
	assert_int_equal(gobin__symbol(f->gb, "runtime.gopark", &sym), 0);
	for (uint64_t pc = 0x400000; pc < 0x400000 + 3 * 65536; pc += 3) {
		struct symbolized x;
		int err = symbolizer__lookup(f->s, pc, &x);

		assert_true(err == 0 || err == -ENOENT);
	}
	assert_int_equal(gobin__symbol(f->gb, "runtime.newproc1", &sym), 0);
	assert_int_equal(symbolizer__lookup(f->s, sym.vaddr + 1, &b), 0);
	assert_ptr_equal(a.func, b.func);
	assert_ptr_equal(a.file, b.file);
	assert_int_equal(a.line, b.line);
}

static void no_symbols(void **state)
{
	struct gobin *gb = gobin__open("/bin/true");
	struct symbolizer *s;
	struct symbolized out;

	(void)state;
	assert_non_null(gb);
	s = symbolizer__new(gb);
	assert_non_null(s);
	assert_int_equal(symbolizer__lookup(s, 0x1000, &out), -ENOENT);
	symbolizer__free(s);
	symbolizer__free(NULL);
	gobin__free(gb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(go_function),
	    cmocka_unit_test(outside),
	    cmocka_unit_test(cached),
	};
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(no_symbols),
	};
	int failed = cmocka_run_group_tests(tests, setup, teardown);

	return failed + cmocka_run_group_tests(plain, NULL, NULL);
}
