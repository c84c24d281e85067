/* Fuzzes probe placement: the x86-64 decoding of a function's bytes that
 * chooses where uprobes go (probesite__prologue, probesite__calls_to,
 * probesite__returns). The bytes come from the target's binary.
 *
 * Input: 4 bytes call target offset from the code's address, 1 byte the
 * most sites to list (0-31), then the code. */
#include "fuzz.h"

#include "probesite.h"

#include <stdlib.h>

#define CODE_VADDR 0x401000ULL
#define MAX_SITES  32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint64_t target = CODE_VADDR + (uint64_t)(int32_t)fuzz__take(&in, 4);
	size_t max = fuzz__take(&in, 1) % MAX_SITES, len = in.left, i;
	uint64_t sites[MAX_SITES];
	struct probesite ps;
	uint8_t *code = malloc(len ? len : 1);
	int n;

	if (!code)
		return 0;
	memcpy(code, in.p, len);
	if (!probesite__prologue(code, len, CODE_VADDR, &ps)) {
		if (ps.vaddr < CODE_VADDR || ps.vaddr - CODE_VADDR >= len)
			abort();
		(void)probesite__kind_name(ps.kind);
		(void)probesite__emulated(ps.kind);
	}
	n = probesite__calls_to(code, len, CODE_VADDR, target, sites, max);
	if (n > (int)max)
		abort();
	for (i = 0; n > 0 && i < (size_t)n; i++)
		if (sites[i] < CODE_VADDR || sites[i] - CODE_VADDR >= len)
			abort();
	n = probesite__returns(code, len, CODE_VADDR, sites, max);
	if (n > (int)max)
		abort();
	for (i = 0; n > 0 && i < (size_t)n; i++)
		if (sites[i] < CODE_VADDR || sites[i] - CODE_VADDR >= len)
			abort();
	free(code);
	return 0;
}
