/* Fuzzes procmaps__bias over the text of /proc/PID/maps, which a target
 * shapes with its own mappings and file names.
 *
 * Input: 8 bytes inode, 8 bytes load base (little endian), then the text. */
#include "fuzz.h"

#include "procmem.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned long ino = (unsigned long)fuzz__take(&in, 8);
	uint64_t load_base = fuzz__take(&in, 8), bias;
	char *text = malloc(in.left + 1);

	if (!text)
		return 0;
	memcpy(text, in.p, in.left);
	text[in.left] = '\0';
	(void)procmaps__bias(text, ino, load_base, &bias);
	free(text);
	return 0;
}
