/* Cgroup path and container id of a process. */
#include "cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ID_LEN 64

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The path of a "N:controllers:path" line, its length in *len. */
static const char *cgroup__line_path(const char *line, size_t *len)
{
	const char *end = strchr(line, '\n'), *c1, *c2;

	if (!end)
		end = line + strlen(line);
	c1 = memchr(line, ':', (size_t)(end - line));
	c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
	if (!c2)
		return NULL;
	*len = (size_t)(end - c2 - 1);
	return c2 + 1;
}

int cgroup__parse(const char *text, char *path, size_t pn, char *id, size_t idn)
{
	const char *best = NULL, *p = text, *found = NULL;
	size_t blen = 0;

	while (p && *p) {
		size_t len;
		const char *lp = cgroup__line_path(p, &len);

		if (lp && (!best || !strncmp(p, "0::", 3))) {
			best = lp;
			blen = len;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!best || !pn || !idn)
		return -EINVAL;
	snprintf(path, pn, "%.*s", (int)blen, best);
	/* The last maximal run of exactly 64 lowercase hex digits. */
	for (size_t i = 0; i < blen;) {
		size_t j = i;

		while (j < blen && is_lower_hex(best[j]))
			j++;
		if (j - i == ID_LEN)
			found = best + i;
		i = j > i ? j : i + 1;
	}
	snprintf(id, idn, "%.*s", found ? ID_LEN : 0, found ? found : "");
	return 0;
}

int cgroup__of_pid(pid_t pid, char *path, size_t pn, char *id, size_t idn)
{
	char file[64], text[4096];
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	return cgroup__parse(text, path, pn, id, idn);
}
