/* /proc/PID/mem and /proc/PID/maps readers. */
#include "procmem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct procmem {
	int fd;
};

struct procmem *procmem__open(pid_t pid)
{
	struct procmem *pm;
	char path[64];

	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	pm->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm->fd < 0) {
		int err = errno;

		free(pm);
		errno = err;
		return NULL;
	}
	return pm;
}

void procmem__free(struct procmem *pm)
{
	if (!pm)
		return;
	close(pm->fd);
	free(pm);
}

int procmem__read(struct procmem *pm, uint64_t addr, void *dst, size_t len)
{
	ssize_t n;

	if (addr > INT64_MAX)
		return -EFAULT;
	n = pread(pm->fd, dst, len, (off_t)addr);
	if (n < 0)
		return errno == EIO ? -EFAULT : -errno;
	if (n == 0)
		return -ESRCH; /* the address space is gone: the target exited */
	if ((size_t)n != len)
		return -EFAULT;
	return 0;
}

int procmaps__bias(const char *maps, unsigned long ino, uint64_t load_base, uint64_t *bias)
{
	const char *line = maps;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		uint64_t start, end, off;
		unsigned long inode;
		char perms[5] = "";
		/* One line at a time in a bounded copy: sscanf on the whole
		 * rest of the text measures all of it for every line, which
		 * made a target with many mappings stall the attach. */
		char buf[256];

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (sscanf(buf, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %*x:%*x %lu", &start, &end,
			   perms, &off, &inode) == 5 &&
		    inode == ino && strlen(perms) >= 3 && perms[2] == 'x') {
			/* The mapping of file offset off sits at start; the
			 * binary links that offset at load_base + off. */
			*bias = start - off - load_base;
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int procmaps__bias_of_pid(pid_t pid, unsigned long ino, uint64_t load_base, uint64_t *bias)
{
	size_t len = 0, cap = 64 * 1024;
	char path[64], *text, *grown;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	text = malloc(cap);
	if (!text) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (;;) {
		size_t n = fread(text + len, 1, cap - len - 1, f);

		len += n;
		if (len < cap - 1)
			break;
		cap *= 2;
		grown = realloc(text, cap);
		if (!grown) {
			err = -ENOMEM;
			goto cleanup;
		}
		text = grown;
	}
	text[len] = '\0';
	err = procmaps__bias(text, ino, load_base, bias);
cleanup:
	free(text);
	fclose(f);
	return err;
}
