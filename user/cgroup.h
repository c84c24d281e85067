/* A process's cgroup and container id, for agent mode's labels. */
#ifndef LINGER_CGROUP_H
#define LINGER_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

/* From the text of /proc/PID/cgroup: the cgroup path (the unified "0::"
 * line's, else the first line's) into path (size pn), and the container id
 * into id (size idn): the last 64-hex-digit run of the path, as container
 * runtimes name their cgroups ("docker-<id>.scope",
 * "cri-containerd-<id>.scope", "crio-<id>.scope", "/docker/<id>"), "" when
 * there is none (a process on the host). Returns 0, or -EINVAL when text
 * has no cgroup line. */
int cgroup__parse(const char *text, char *path, size_t pn, char *id, size_t idn);

/* Reads /proc/PID/cgroup and calls cgroup__parse. 0 or -errno. */
int cgroup__of_pid(pid_t pid, char *path, size_t pn, char *id, size_t idn);

#endif
