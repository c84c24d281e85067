/* Probe placement by decoding x86-64 with Capstone. */
#include "probesite.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <stdbool.h>

/* How far into a prologue to look: Go's is at most ~6 instructions before
 * PUSHQ BP (a large-frame LEAQ, the CMPQ, the Jcc). */
#define PROLOGUE_MAX_INSNS 8

const char *probesite__kind_name(enum probesite_kind kind)
{
	switch (kind) {
	case PROBESITE_PUSH_BP:
		return "push-bp";
	case PROBESITE_BRANCH:
		return "branch";
	case PROBESITE_CALL:
		return "call";
	case PROBESITE_RET:
		return "ret";
	case PROBESITE_ENTRY:
		return "entry";
	}
	return "?";
}

int probesite__emulated(enum probesite_kind kind)
{
	return kind == PROBESITE_PUSH_BP || kind == PROBESITE_BRANCH || kind == PROBESITE_CALL;
}

static int disasm_open(csh *h)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, h) != CS_ERR_OK)
		return -ENOMEM;
	cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	/* Go pads between functions with int3; keep decoding past bytes
	 * Capstone does not know rather than stopping early. */
	cs_option(*h, CS_OPT_SKIPDATA, CS_OPT_ON);
	return 0;
}

/* Registers a probe reads at a prologue site; an instruction writing any
 * of them ends the search. */
static bool reg_is_watched(x86_reg r)
{
	switch (r) {
	case X86_REG_RAX:
	case X86_REG_EAX:
	case X86_REG_RBX:
	case X86_REG_EBX:
	case X86_REG_RCX:
	case X86_REG_ECX:
	case X86_REG_CL:
	case X86_REG_RDI:
	case X86_REG_EDI:
	case X86_REG_RSI:
	case X86_REG_ESI:
	case X86_REG_R14:
	case X86_REG_RSP:
	case X86_REG_RBP:
		return true;
	default:
		return false;
	}
}

static bool in_group(const cs_insn *in, uint8_t group)
{
	for (uint8_t i = 0; i < in->detail->groups_count; i++)
		if (in->detail->groups[i] == group)
			return true;
	return false;
}

static bool is_jcc(const cs_insn *in)
{
	return in_group(in, X86_GRP_JUMP) && in->id != X86_INS_JMP &&
	       in->detail->x86.op_count == 1 && in->detail->x86.operands[0].type == X86_OP_IMM;
}

/* Instructions a Go prologue runs before its PUSHQ BP that leave the
 * watched registers alone: the stack-bound compare, a LEA into a scratch
 * register for large frames, the branch to morestack. */
static bool leaves_registers(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	switch (in->id) {
	case X86_INS_CMP:
	case X86_INS_TEST:
	case X86_INS_NOP:
		return true;
	case X86_INS_LEA:
		return x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
		       !reg_is_watched(x->operands[0].reg);
	default:
		return is_jcc(in);
	}
}

int probesite__prologue(const uint8_t *code, size_t len, uint64_t vaddr, struct probesite *out)
{
	const cs_insn *branch = NULL;
	cs_insn *insn = NULL;
	size_t n, i;
	csh h;
	int err;

	if (!code || !len)
		return -EINVAL;
	err = disasm_open(&h);
	if (err)
		return err;
	out->vaddr = vaddr;
	out->kind = PROBESITE_ENTRY;
	n = cs_disasm(h, code, len, vaddr, PROLOGUE_MAX_INSNS, &insn);
	for (i = 0; i < n; i++) {
		const cs_insn *in = &insn[i];

		if (!in->detail) /* undecodable bytes: not a prologue we know */
			break;
		if (in->id == X86_INS_PUSH && in->detail->x86.operands[0].type == X86_OP_REG &&
		    in->detail->x86.operands[0].reg == X86_REG_RBP) {
			out->vaddr = in->address;
			out->kind = PROBESITE_PUSH_BP;
			goto cleanup;
		}
		if (!branch && is_jcc(in))
			branch = in;
		if (!leaves_registers(in))
			break;
	}
	if (branch) {
		out->vaddr = branch->address;
		out->kind = PROBESITE_BRANCH;
	}
cleanup:
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return 0;
}

/* Decodes all of code and collects, for each instruction pick() accepts,
 * the value it names (an address), at most max. */
static int collect(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t *out, size_t max,
		   bool (*pick)(const cs_insn *in, uint64_t arg, uint64_t *value), uint64_t arg)
{
	const uint8_t *p = code;
	uint64_t addr = vaddr, value;
	size_t left = len;
	int found = 0;
	cs_insn *in;
	csh h;
	int err;

	if (!code || !len)
		return -EINVAL;
	err = disasm_open(&h);
	if (err)
		return err;
	in = cs_malloc(h);
	if (!in) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (cs_disasm_iter(h, &p, &left, &addr, in)) {
		if (in->detail && pick(in, arg, &value) && (size_t)found < max)
			out[found++] = value;
	}
	err = found;
cleanup:
	if (in)
		cs_free(in, 1);
	cs_close(&h);
	return err;
}

static bool is_call_to(const cs_insn *in, uint64_t target, uint64_t *at)
{
	const cs_x86 *x = &in->detail->x86;

	*at = in->address;
	return in->id == X86_INS_CALL && x->op_count == 1 && x->operands[0].type == X86_OP_IMM &&
	       (uint64_t)x->operands[0].imm == target;
}

static bool is_ret(const cs_insn *in, uint64_t unused, uint64_t *at)
{
	(void)unused;
	*at = in->address;
	return in->id == X86_INS_RET;
}

static bool rip_target(const cs_insn *in, uint64_t unused, uint64_t *target)
{
	const cs_x86 *x = &in->detail->x86;

	(void)unused;
	for (uint8_t i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM && x->operands[i].mem.base == X86_REG_RIP) {
			/* RIP-relative: from the end of the instruction */
			*target = in->address + in->size + (uint64_t)x->operands[i].mem.disp;
			return true;
		}
	return false;
}

int probesite__calls_to(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t target,
			uint64_t *sites, size_t max)
{
	return collect(code, len, vaddr, sites, max, is_call_to, target);
}

int probesite__returns(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t *sites, size_t max)
{
	return collect(code, len, vaddr, sites, max, is_ret, 0);
}

int probesite__rip_refs(const uint8_t *code, size_t len, uint64_t vaddr, uint64_t *addrs,
			size_t max)
{
	return collect(code, len, vaddr, addrs, max, rip_target, 0);
}

int probesite__slice_header(const uint64_t *refs, size_t n, uint64_t *addr)
{
	for (size_t i = 0; i < n; i++) {
		bool len = false, cap = false;

		for (size_t j = 0; j < n; j++) {
			len |= refs[j] == refs[i] + 8;
			cap |= refs[j] == refs[i] + 16;
		}
		if (len && cap) {
			*addr = refs[i];
			return 0;
		}
	}
	return -ENOENT;
}
