/* Read-only access to a target's memory and mappings through /proc. */
#ifndef LINGER_PROCMEM_H
#define LINGER_PROCMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procmem;

/* Opens /proc/PID/mem read-only. NULL with errno (ENOENT: no such
 * process, EACCES/EPERM: not allowed). */
struct procmem *procmem__open(pid_t pid);
/* Safe on NULL. */
void procmem__free(struct procmem *pm);
/* Copies len bytes at the target's address addr. 0, or -EFAULT for an
 * unmapped address, -ESRCH when the target is gone, other -errno. */
int procmem__read(struct procmem *pm, uint64_t addr, void *dst, size_t len);

/* From the text of /proc/PID/maps, the load bias of the executable with
 * inode ino: runtime address = link-time address + bias. load_base is
 * gobin__load_base() of that executable. Returns 0 or -ENOENT. */
int procmaps__bias(const char *maps, unsigned long ino, uint64_t load_base, uint64_t *bias);
/* Reads /proc/PID/maps and calls procmaps__bias. */
int procmaps__bias_of_pid(pid_t pid, unsigned long ino, uint64_t load_base, uint64_t *bias);

#endif
