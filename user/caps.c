/* Capabilities: what linger needs, what it has. */
#include "caps.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int caps__effective(uint64_t *eff)
{
	unsigned long long v = 0;
	char line[256];
	int err = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1) {
			*eff = v;
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

int caps__missing(uint64_t eff, char *out, size_t n)
{
	static const struct {
		int bit;
		const char *name;
	} needed[] = {
	    {CAPS_BPF, "CAP_BPF"},
	    {CAPS_PERFMON, "CAP_PERFMON"},
	    {CAPS_SYS_PTRACE, "CAP_SYS_PTRACE"},
	};
	bool admin = eff >> CAPS_SYS_ADMIN & 1;
	size_t len = 0;
	int missing = 0;

	if (n)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (eff >> needed[i].bit & 1 || (admin && needed[i].bit != CAPS_SYS_PTRACE))
			continue;
		if (len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", missing ? ", " : "",
						needed[i].name);
		missing++;
	}
	return missing;
}
