/* Capabilities: what linger needs, what it has. */
#include "caps.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

int caps__uprobes_by_perfmon(void)
{
	struct perf_event_attr attr;
	unsigned int type;
	int fd, err = 0;
	FILE *f;

	f = fopen("/sys/bus/event_source/devices/uprobe/type", "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%u", &type) != 1)
		err = -EINVAL;
	fclose(f);
	if (err)
		return err;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.disabled = 1;
	attr.config1 = (uint64_t)(uintptr_t) "/proc/self/exe";
	attr.config2 = 0; /* file offset 0: the ELF header, not code */
	fd = (int)syscall(SYS_perf_event_open, &attr, getpid(), -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EACCES || errno == EPERM ? 0 : -errno;
}

int caps__uprobes_by_perfmon_for(uint64_t eff)
{
	int r;

	if (eff >> CAPS_SYS_ADMIN & 1)
		return 1;
	if (!(eff >> CAPS_PERFMON & 1))
		return -1;
	r = caps__uprobes_by_perfmon();
	return r < 0 ? -1 : r;
}

int caps__missing(uint64_t eff, int uprobes_by_perfmon, char *out, size_t n)
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
	bool bpf_perfmon = (eff >> CAPS_BPF & 1) && (eff >> CAPS_PERFMON & 1);

	if (!admin && (uprobes_by_perfmon == 0 || (uprobes_by_perfmon < 0 && !bpf_perfmon))) {
		len = (size_t)snprintf(out, n, "%s",
				       uprobes_by_perfmon == 0
					   ? "CAP_SYS_ADMIN"
					   : "CAP_SYS_ADMIN (or CAP_BPF and CAP_PERFMON where the "
					     "kernel lets CAP_PERFMON create uprobes)");
		missing++;
		admin = true; /* it also stands for CAP_BPF and CAP_PERFMON */
	}
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
