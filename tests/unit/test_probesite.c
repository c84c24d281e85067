/* Probe placement on real Go prologue bytes of several versions. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "probesite.h"

/* runtime.gopark, Go 1.19: CMPQ 0x10(R14),SP; JBE rel32; SUBQ $0x18,SP */
static const uint8_t gopark_119[] = {0x49, 0x3b, 0x66, 0x10, 0x0f, 0x86, 0xe9,
				     0x00, 0x00, 0x00, 0x48, 0x83, 0xec, 0x18};
/* Go 1.21+: CMPQ 0x10(R14),SP; JBE rel8; PUSHQ BP; MOVQ SP,BP */
static const uint8_t prologue_121[] = {0x49, 0x3b, 0x66, 0x10, 0x76, 0x40, 0x55, 0x48, 0x89, 0xe5};
/* Large frame: LEAQ -8(SP),R12; CMPQ 0x10(R14),R12; JBE rel32; PUSHQ BP */
static const uint8_t prologue_big[] = {0x4c, 0x8d, 0x64, 0x24, 0xf8, 0x4d, 0x3b, 0x66,
				       0x10, 0x0f, 0x86, 0x00, 0x01, 0x00, 0x00, 0x55};
/* Nosplit: starts with PUSHQ BP. */
static const uint8_t prologue_nosplit[] = {0x55, 0x48, 0x89, 0xe5};
/* MOVQ AX,BX first: writes a watched register before any emulated insn. */
static const uint8_t clobbers_first[] = {0x48, 0x89, 0xc3, 0x55};

/* runtime.newproc.func1, Go 1.19 (at 0x438f40): the newproc1 call, then
 * MOVQ AX,BX ... CALL runtime.runqput (0x43d0c0), ..., RET. */
static const uint8_t newproc_func1_119[] = {
    0x49, 0x3b, 0x66, 0x10, 0x76, 0x57, 0x48, 0x83, 0xec, 0x20, 0x48, 0x89, 0x6c, 0x24, 0x18,
    0x48, 0x8d, 0x6c, 0x24, 0x18, 0x48, 0x8b, 0x5a, 0x10, 0x48, 0x8b, 0x4a, 0x18, 0x48, 0x8b,
    0x42, 0x08, 0xe8, 0x5b, 0x00, 0x00, 0x00, 0x49, 0x8b, 0x56, 0x30, 0x48, 0x8b, 0x92, 0xd0,
    0x00, 0x00, 0x00, 0x48, 0x89, 0xc3, 0xb9, 0x01, 0x00, 0x00, 0x00, 0x48, 0x89, 0xd0, 0x0f,
    0x1f, 0x44, 0x00, 0x00, 0xe8, 0x3b, 0x41, 0x00, 0x00, 0x80, 0x3d, 0x20, 0xbf, 0x0b, 0x00,
    0x00, 0x74, 0x05, 0xe8, 0x6d, 0xc1, 0xff, 0xff, 0x48, 0x8b, 0x6c, 0x24, 0x18, 0x48, 0x83,
    0xc4, 0x20, 0xc3, 0x0f, 0x1f, 0x00, 0xe8, 0x5b, 0xc8, 0x01, 0x00, 0xeb, 0x99, 0xcc, 0xcc};
#define NEWPROC_FUNC1_119 0x438f40ULL

static void prologue_go119_uses_the_stack_check_branch(void **state)
{
	struct probesite ps;

	(void)state;
	assert_int_equal(probesite__prologue(gopark_119, sizeof(gopark_119), 0x430ee0, &ps), 0);
	assert_int_equal(ps.kind, PROBESITE_BRANCH);
	assert_int_equal(ps.vaddr, 0x430ee4);
	assert_true(probesite__emulated(ps.kind));
}

static void prologue_go121_uses_push_bp(void **state)
{
	struct probesite ps;

	(void)state;
	assert_int_equal(probesite__prologue(prologue_121, sizeof(prologue_121), 0x1000, &ps), 0);
	assert_int_equal(ps.kind, PROBESITE_PUSH_BP);
	assert_int_equal(ps.vaddr, 0x1006);
	assert_int_equal(probesite__prologue(prologue_big, sizeof(prologue_big), 0x2000, &ps), 0);
	assert_int_equal(ps.kind, PROBESITE_PUSH_BP);
	assert_int_equal(ps.vaddr, 0x200f);
	assert_int_equal(
	    probesite__prologue(prologue_nosplit, sizeof(prologue_nosplit), 0x3000, &ps), 0);
	assert_int_equal(ps.kind, PROBESITE_PUSH_BP);
	assert_int_equal(ps.vaddr, 0x3000);
}

static void prologue_falls_back_to_entry(void **state)
{
	static const uint8_t garbage[] = {0x06, 0x07, 0x0e}; /* invalid in 64-bit mode */
	struct probesite ps;

	(void)state;
	assert_int_equal(probesite__prologue(clobbers_first, sizeof(clobbers_first), 0x10, &ps), 0);
	assert_int_equal(ps.kind, PROBESITE_ENTRY);
	assert_int_equal(ps.vaddr, 0x10);
	assert_false(probesite__emulated(ps.kind));
	assert_int_equal(probesite__prologue(garbage, sizeof(garbage), 0x20, &ps), 0);
	assert_int_equal(ps.kind, PROBESITE_ENTRY);
	assert_int_equal(probesite__prologue(NULL, 0, 0, &ps), -EINVAL);
}

static void finds_the_runqput_call_and_the_returns(void **state)
{
	uint64_t sites[4];

	(void)state;
	assert_int_equal(probesite__calls_to(newproc_func1_119, sizeof(newproc_func1_119),
					     NEWPROC_FUNC1_119, 0x43d0c0, sites, 4),
			 1);
	assert_int_equal(sites[0], 0x438f80);
	/* the newproc1 call is a different target */
	assert_int_equal(probesite__calls_to(newproc_func1_119, sizeof(newproc_func1_119),
					     NEWPROC_FUNC1_119, 0x438fc0, sites, 4),
			 1);
	assert_int_equal(sites[0], 0x438f60);
	assert_int_equal(probesite__calls_to(newproc_func1_119, sizeof(newproc_func1_119),
					     NEWPROC_FUNC1_119, 0xdead, sites, 4),
			 0);
	assert_int_equal(probesite__returns(newproc_func1_119, sizeof(newproc_func1_119),
					    NEWPROC_FUNC1_119, sites, 4),
			 1);
	assert_int_equal(sites[0], 0x438f9c);
	/* max bounds the output */
	assert_int_equal(probesite__returns(newproc_func1_119, sizeof(newproc_func1_119),
					    NEWPROC_FUNC1_119, sites, 0),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(prologue_go119_uses_the_stack_check_branch),
	    cmocka_unit_test(prologue_go121_uses_push_bp),
	    cmocka_unit_test(prologue_falls_back_to_entry),
	    cmocka_unit_test(finds_the_runqput_call_and_the_returns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
