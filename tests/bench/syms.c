/* Function addresses for scripts/bench.sh's bpftrace runs, which probe the
 * same runtime functions as linger in binaries bpftrace cannot read
 * symbols from (stripped Go binaries keep them in .gopclntab only).
 *
 * Usage: bench_syms BINARY NAME...  prints "NAME 0xVADDR" per name found;
 * exit 1 when one is missing. */
#include <inttypes.h>
#include <stdio.h>

#include "gobin.h"

int main(int argc, char **argv)
{
	struct gobin *gb;
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_syms BINARY NAME...\n");
		return 2;
	}
	gb = gobin__open(argv[1]);
	if (!gb) {
		perror(argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		struct gobin_sym sym;

		if (gobin__symbol(gb, argv[i], &sym)) {
			fprintf(stderr, "bench_syms: %s: no %s\n", argv[1], argv[i]);
			status = 1;
			continue;
		}
		printf("%s 0x%" PRIx64 "\n", argv[i], sym.vaddr);
	}
	gobin__free(gb);
	return status;
}
