/* A Go program's binary as linger needs it: checked (Go, amd64, register
 * ABI, known offsets), its probe sites found, its symbols and wait-reason
 * names. One image serves every process that runs the binary, so agent
 * mode reads and decodes each binary once. */
#ifndef LINGER_IMAGE_H
#define LINGER_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gobin.h"
#include "lifecycle_loader.h"
#include "offsets.h"
#include "procmem.h"
#include "symbolizer.h"

/* Why a process could not be followed: the label of agent mode's
 * attach-failure counters, and the class of single mode's error line. */
enum attach_failure {
	AF_NONE = 0,
	AF_GONE,	/* no such process, or it exited while linger attached */
	AF_NOT_GO,	/* no executable, not ELF, or no Go build info */
	AF_UNSUPPORTED, /* Go too old, not amd64, offsets of its Go version unknown */
	AF_SYMBOLS,	/* a runtime symbol or probe site missing */
	AF_PERMISSION,	/* /proc/PID/exe or /proc/PID/mem not readable */
	AF_PROBE,	/* the kernel refused a uprobe */
	AF_LIMIT,	/* --max-procs reached, or the BPF targets map full */
	AF_OTHER,	/* out of memory, I/O errors */
	AF_COUNT,
};

/* "exited", "not_go", "unsupported", "symbols", "permission", "probe",
 * "limit", "other" ("none" for AF_NONE). */
const char *attach_failure__name(enum attach_failure f);

/* One failure: its class and the line that explains it (no "linger: "
 * prefix, no newline), naming the PID and the executable. */
struct attach_error {
	enum attach_failure reason;
	char msg[384];
};

/* Fills e (when e is not NULL) and returns err, for one-line failures. */
int attach_error__set(struct attach_error *e, enum attach_failure reason, int err, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

struct image;

/* Opens the executable of process pid through /proc/PID/exe (which works
 * for deleted binaries and for binaries in another mount namespace, such
 * as a container's), checks that linger can follow it and finds its probe
 * sites. Returns NULL with errno set and *e filled on failure. */
struct image *image__open(pid_t pid, struct attach_error *e);
/* Safe on NULL. */
void image__free(struct image *img);

/* The binary's identity: processes with the same device and inode run the
 * same image. */
void image__id(const struct image *img, uint64_t *dev, uint64_t *ino);
/* The executable's path as the process's /proc/PID/exe link shows it. */
const char *image__path(const struct image *img);
/* The Go version from the build info ("go1.22.5"). */
const char *image__go_version(const struct image *img);
/* The parts, owned by the image: the ELF reader, the runtime's struct
 * offsets (DWARF, or the table of its Go version), the symbolizer. */
struct gobin *image__gobin(struct image *img);
const struct go_offsets *image__offsets(const struct image *img);
struct symbolizer *image__symbolizer(struct image *img);
/* The probe sites (file offsets) and what the probes need to know. */
const struct lifecycle_sites *image__sites(const struct image *img);
const struct lc_target *image__facts(const struct image *img);
/* The link-time address of runtime.newproc1, mapped as long as the image
 * is; and of runtime.allgs (0 when it cannot be found). */
uint64_t image__text_vaddr(const struct image *img);
uint64_t image__allgs(const struct image *img);

/* Reads the wait-reason names from a process running the image (its
 * runtime.waitReasonStrings, static data), once: later calls do nothing.
 * Best effort: names it cannot read fall back to a per-version table. */
void image__read_wait_names(struct image *img, struct procmem *pm, uint64_t bias);
/* The name of a wait reason number, or NULL. */
const char *image__wait_name(const struct image *img, uint32_t reason);

#endif
