/* Fuzzes opts__parse_duration, the parser of --duration and --interval. */
#include "fuzz.h"

#include "opts.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t ns = 0;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* The contract: 0 and overflow are errors, so success means ns > 0. */
	if (!opts__parse_duration(s, &ns) && ns == 0)
		abort();
	free(s);
	return 0;
}
