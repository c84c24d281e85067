/* The emulated-uprobe floor for scripts/bench.sh: calls a function whose
 * first instruction is PUSHQ BP, the instruction linger's prologue probes
 * sit on, N times, and prints the mean nanoseconds per call. The benchmark
 * runs it bare and with a uprobe counting hits on that instruction: the
 * difference is what one emulated uprobe hit costs on this machine, the
 * floor every probe's cost is compared with.
 *
 * Usage: bench_floor [CALLS]  (default 2000000); prints "ns_per_call X". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* push %rbp; pop %rbp; ret: the kernel emulates the push. */
__asm__(".text\n"
	".globl floor_push\n"
	".type floor_push, @function\n"
	"floor_push:\n"
	"\tpushq %rbp\n"
	"\tpopq %rbp\n"
	"\tret\n"
	".size floor_push, .-floor_push\n");
void floor_push(void);

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long calls = 2000000;
	char *end;
	double t0;

	if (argc > 1) {
		errno = 0;
		calls = strtoul(argv[1], &end, 10);
		if (errno || *end || !calls) {
			fprintf(stderr, "bench_floor: invalid call count '%s'\n", argv[1]);
			return 2;
		}
	}
	t0 = now_s();
	for (unsigned long i = 0; i < calls; i++)
		floor_push();
	printf("ns_per_call %.1f\n", (now_s() - t0) * 1e9 / (double)calls);
	return 0;
}
