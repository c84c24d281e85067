/* Fuzzes gobin, linger's reader of the target's executable: ELF headers,
 * segments, .symtab, the Go version (.go.buildinfo), the pclntab, the
 * runtime offsets in DWARF, and the symbolizer and probe placement built
 * on them. The input is the whole file. libelf and libdw are not
 * instrumented: the fuzzer sees linger's coverage only, but a crash inside
 * either library is still caught. */
#include "fuzz_gobin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz__gobin(data, size);
	return 0;
}
