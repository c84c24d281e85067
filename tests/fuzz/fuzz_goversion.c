/* Fuzzes goversion__parse, which reads the version string a binary's
 * .go.buildinfo or runtime.buildVersion holds: any bytes, as a C string. */
#include "fuzz.h"

#include "goversion.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct goversion v;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!goversion__parse(s, &v)) {
		/* The parser bounds every number; larger ones are refused. */
		if (v.major < 0 || v.major > 9999 || v.minor < 0 || v.minor > 9999 || v.patch < 0 ||
		    v.patch > 9999)
			abort();
		(void)goversion__cmp(&v, 1, 21);
		(void)goversion__cmp(&v, v.major, v.minor + 1);
	}
	free(s);
	return 0;
}
