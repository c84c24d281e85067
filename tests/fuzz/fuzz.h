/* What every fuzz harness defines, and small helpers they share. A harness
 * is one LLVMFuzzerTestOneInput over one parser of untrusted input; it is
 * linked either with libFuzzer (-DLINGER_FUZZ=ON) or with driver.c, which
 * replays files through it. */
#ifndef LINGER_FUZZ_H
#define LINGER_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: called once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A cursor over the input that harnesses carve parameters from: once the
 * bytes run out every take returns zeros, so any input is a valid one. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fuzz__take(struct fuzz_in *in, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 8; i++) {
		v |= (uint64_t)(in->left ? *in->p : 0) << (8 * i);
		if (in->left) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

#endif
