/* A Go binary checked, its probe sites found, its names read. */
#include "image.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goversion.h"
#include "log.h"
#include "probesite.h"
#include "waitreason.h"

struct image {
	pid_t pid; /* the process it was opened through, for messages */
	char exe[256];
	uint64_t dev, ino;
	struct gobin *gb;
	struct goversion ver;
	struct go_offsets off;
	struct symbolizer *sym;
	struct lifecycle_sites sites;
	struct lc_target facts;
	uint64_t text_vaddr;
	uint64_t allgs;
	bool wait_names_read;
	char **wait_names; /* from the target's runtime.waitReasonStrings */
	size_t nwait_names;
};

const char *attach_failure__name(enum attach_failure f)
{
	static const char *const names[AF_COUNT] = {
	    "none",	  "exited", "not_go", "unsupported", "symbols",
	    "permission", "probe",  "limit",  "other",
	};

	return f < AF_COUNT ? names[f] : "other";
}

int attach_error__set(struct attach_error *e, enum attach_failure reason, int err, const char *fmt,
		      ...)
{
	va_list ap;

	if (!e)
		return err;
	e->reason = reason;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* Checks the target is a process, readable, Go, amd64 and new enough. */
static int image__check(struct image *img, struct attach_error *e)
{
	pid_t pid = img->pid;
	char link[64];
	const char *version;
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	if (kill(pid, 0) && errno == ESRCH)
		return attach_error__set(e, AF_GONE, -ESRCH, "no process with PID %d", (int)pid);
	n = readlink(link, img->exe, sizeof(img->exe) - 1);
	if (n < 0) {
		if (errno == ENOENT)
			return attach_error__set(
			    e, AF_NOT_GO, -ENOENT,
			    "PID %d has no executable (a kernel thread, or it just exited)",
			    (int)pid);
		return attach_error__set(
		    e, AF_PERMISSION, -errno,
		    "cannot read %s: %s (linger needs root, or CAP_SYS_PTRACE)", link,
		    strerror(errno));
	}
	img->exe[n] = '\0';
	if (stat(link, &st))
		return attach_error__set(e, AF_GONE, -errno,
					 "PID %d exited while linger was attaching", (int)pid);
	img->dev = st.st_dev;
	img->ino = st.st_ino;
	img->gb = gobin__open(link);
	if (!img->gb) {
		int err = -errno;

		if (err == -ENOEXEC)
			return attach_error__set(
			    e, AF_NOT_GO, err,
			    "PID %d (%s) is not a Go program: not an ELF executable", (int)pid,
			    img->exe);
		return attach_error__set(e, AF_OTHER, err, "cannot open %s (%s): %s", link,
					 img->exe, strerror(-err));
	}
	version = gobin__go_version(img->gb);
	if (!version)
		return attach_error__set(e, AF_NOT_GO, -ENOEXEC,
					 "PID %d (%s) is not a Go program: no Go build info",
					 (int)pid, img->exe);
	if (gobin__machine(img->gb) != EM_X86_64)
		return attach_error__set(
		    e, AF_UNSUPPORTED, -ENOTSUP,
		    "PID %d (%s) is not an amd64 binary: linger supports Go on amd64", (int)pid,
		    img->exe);
	if (goversion__parse(version, &img->ver) || goversion__cmp(&img->ver, 1, 17) < 0)
		return attach_error__set(
		    e, AF_UNSUPPORTED, -ENOTSUP,
		    "PID %d (%s) is built with %s: linger needs Go 1.17 or newer (register ABI)",
		    (int)pid, img->exe, version);
	/* DWARF when the binary has it; a stripped one gets the offsets
	 * measured for its Go version. */
	if (gobin__offsets(img->gb, &img->off) &&
	    runtime_offsets__lookup(img->ver.minor, &img->off))
		return attach_error__set(
		    e, AF_UNSUPPORTED, -ENOTSUP,
		    "PID %d (%s): stripped binary, and runtime.g offsets of %s are not known",
		    (int)pid, img->exe, version);
	return 0;
}

static int image__symbol(struct image *img, const char *name, struct gobin_sym *sym,
			 struct attach_error *e)
{
	if (gobin__symbol(img->gb, name, sym) || !sym->size)
		return attach_error__set(e, AF_SYMBOLS, -ENOENT,
					 "PID %d (%s): symbol %s not found (stripped binary?)",
					 (int)img->pid, img->exe, name);
	return 0;
}

/* Reads a function's code from the binary; caller frees. */
static uint8_t *image__code(struct image *img, const struct gobin_sym *sym)
{
	uint8_t *code = malloc(sym->size);

	if (code && gobin__read(img->gb, sym->vaddr, code, sym->size)) {
		free(code);
		return NULL;
	}
	return code;
}

static int image__file_offset(struct image *img, uint64_t vaddr, uint64_t *off,
			      struct attach_error *e)
{
	if (gobin__file_offset(img->gb, vaddr, off))
		return attach_error__set(e, AF_SYMBOLS, -ENOENT,
					 "PID %d (%s): address %#llx is in no loadable segment",
					 (int)img->pid, img->exe, (unsigned long long)vaddr);
	return 0;
}

/* A probe on a function's prologue, at the cheapest safe instruction. */
static int image__prologue_site(struct image *img, const char *name, uint64_t *off,
				struct attach_error *e)
{
	struct gobin_sym sym;
	struct probesite ps;
	uint8_t *code;
	int err;

	err = image__symbol(img, name, &sym, e);
	if (err)
		return err;
	code = image__code(img, &sym);
	if (!code)
		return attach_error__set(e, AF_OTHER, -EIO, "PID %d (%s): cannot read %s",
					 (int)img->pid, img->exe, name);
	err = probesite__prologue(code, sym.size, sym.vaddr, &ps);
	free(code);
	if (err)
		return attach_error__set(e, AF_SYMBOLS, err, "PID %d (%s): no probe site in %s",
					 (int)img->pid, img->exe, name);
	debug("%s: probe at +%llu (%s, %s)", name, (unsigned long long)(ps.vaddr - sym.vaddr),
	      probesite__kind_name(ps.kind),
	      probesite__emulated(ps.kind) ? "emulated" : "single-stepped");
	return image__file_offset(img, ps.vaddr, off, e);
}

/* Adds a spawn probe at vaddr, where reg holds the new g. */
static int image__add_spawn(struct image *img, uint64_t vaddr, enum lc_reg reg,
			    struct attach_error *e)
{
	struct lifecycle_sites *ls = &img->sites;
	struct lifecycle_site *site;

	if (ls->nspawn == LIFECYCLE_MAX_SPAWN_SITES)
		return attach_error__set(e, AF_SYMBOLS, -E2BIG, "PID %d (%s): too many spawn sites",
					 (int)img->pid, img->exe);
	site = &ls->spawn[ls->nspawn];
	site->reg = reg;
	if (image__file_offset(img, vaddr, &site->offset, e))
		return -ENOENT;
	ls->nspawn++;
	return 0;
}

/* The instructions in function name that pick() finds (calls to target,
 * or returns), at most LIFECYCLE_MAX_SPAWN_SITES; the count, or <= 0. */
static int image__find_in(struct image *img, const char *name, uint64_t target, uint64_t *vaddrs)
{
	struct gobin_sym fn;
	uint8_t *code;
	int n;

	if (gobin__symbol(img->gb, name, &fn) || !fn.size || !(code = image__code(img, &fn)))
		return -ENOENT;
	n = target ? probesite__calls_to(code, fn.size, fn.vaddr, target, vaddrs,
					 LIFECYCLE_MAX_SPAWN_SITES)
		   : probesite__returns(code, fn.size, fn.vaddr, vaddrs, LIFECYCLE_MAX_SPAWN_SITES);
	free(code);
	return n;
}

/* The spawn probes. Every `go` statement goes through newproc.func1,
 * whose CALL runtime.runqput (emulated) has the new g in RBX. Coroutines
 * (iter.Pull, Go 1.22+) are made by newproc1 called from newcoro's
 * closure: probed on the instruction after that call, where RAX is the new
 * g. Where runqput is inlined (PGO), every RET of newproc1 (single-stepped,
 * RAX) stands in for both. */
static int image__spawn_sites(struct image *img, struct attach_error *e)
{
	uint64_t vaddrs[LIFECYCLE_MAX_SPAWN_SITES];
	struct gobin_sym runqput, newproc1;
	int n = 0, err = 0;

	err = image__symbol(img, "runtime.newproc1", &newproc1, e);
	if (err)
		return err;
	img->text_vaddr = newproc1.vaddr;
	if (!gobin__symbol(img->gb, "runtime.runqput", &runqput))
		n = image__find_in(img, "runtime.newproc.func1", runqput.vaddr, vaddrs);
	debug("runtime.newproc.func1: %d call(s) to runqput (call, emulated)", n);
	for (int i = 0; i < n && !err; i++)
		err = image__add_spawn(img, vaddrs[i], LC_REG_RBX, e);
	if (n > 0) {
		/* A CALL rel32 is 5 bytes: the new g is in RAX right after. */
		n = image__find_in(img, "runtime.newcoro.func1", newproc1.vaddr, vaddrs);
		if (n > 0)
			debug("runtime.newcoro.func1: %d call(s) to newproc1 (single-stepped)", n);
		for (int i = 0; i < n && !err; i++)
			err = image__add_spawn(img, vaddrs[i] + 5, LC_REG_RAX, e);
		return err;
	}
	n = image__find_in(img, "runtime.newproc1", 0, vaddrs);
	debug("runtime.newproc1: %d ret(s) (single-stepped)", n);
	if (n <= 0)
		return attach_error__set(e, AF_SYMBOLS, -ENOENT,
					 "PID %d (%s): no spawn probe site in runtime.newproc1",
					 (int)img->pid, img->exe);
	for (int i = 0; i < n && !err; i++)
		err = image__add_spawn(img, vaddrs[i], LC_REG_RAX, e);
	return err;
}

/* The probe sites: spawn, park_m, the exit probe on gdestroy (Go 1.22+,
 * g in RAX, which also ends coroutines, which never reach goexit1) or
 * goexit1 (R14), and gcMarkTermination when it can be probed. */
static int image__sites_find(struct image *img, struct attach_error *e)
{
	struct lifecycle_sites *ls = &img->sites;
	struct gobin_sym gdestroy, gcmark;
	int err;

	ls->park.reg = LC_REG_RAX;
	ls->exit.reg = LC_REG_RAX;
	err = image__spawn_sites(img, e);
	if (!err)
		err = image__prologue_site(img, "runtime.park_m", &ls->park.offset, e);
	if (!err && gobin__symbol(img->gb, "runtime.gdestroy", &gdestroy)) {
		ls->exit.reg = LC_REG_R14;
		err = image__prologue_site(img, "runtime.goexit1", &ls->exit.offset, e);
	} else if (!err) {
		err = image__prologue_site(img, "runtime.gdestroy", &ls->exit.offset, e);
	}
	/* Optional: without it a leak's hold is measured in time only. */
	if (!err &&
	    (gobin__symbol(img->gb, "runtime.gcMarkTermination", &gcmark) ||
	     image__prologue_site(img, "runtime.gcMarkTermination", &ls->gc.offset, NULL))) {
		debug("runtime.gcMarkTermination not probed: the target's GCs are not counted");
		ls->gc.offset = 0;
	}
	return err;
}

/* The link-time address of runtime.allgs, a []*g. Stripped binaries lose
 * the symbol but keep runtime.allgadd, which appends to it: the slice is
 * the address whose three words (pointer, length, capacity) the function
 * all refers to. */
static int image__find_allgs(struct image *img, uint64_t *allgs)
{
	uint64_t refs[256];
	struct gobin_sym sym;
	uint8_t *code;
	int n;

	if (!gobin__symbol(img->gb, "runtime.allgs", &sym)) {
		*allgs = sym.vaddr;
		return 0;
	}
	if (gobin__symbol(img->gb, "runtime.allgadd", &sym) || !(code = image__code(img, &sym)))
		return -ENOENT;
	n = probesite__rip_refs(code, sym.size, sym.vaddr, refs, 256);
	free(code);
	return n > 0 ? probesite__slice_header(refs, (size_t)n, allgs) : -ENOENT;
}

struct image *image__open(pid_t pid, struct attach_error *e)
{
	struct image *img;
	int err;

	img = calloc(1, sizeof(*img));
	if (!img) {
		err = attach_error__set(e, AF_OTHER, -ENOMEM, "out of memory");
		goto cleanup;
	}
	img->pid = pid;
	err = image__check(img, e);
	if (!err)
		err = image__sites_find(img, e);
	if (err)
		goto cleanup;
	if (image__find_allgs(img, &img->allgs))
		img->allgs = 0;
	img->facts.g_goid_off = img->off.g_goid;
	img->facts.g_gopc_off = img->off.g_gopc;
	img->facts.g_startpc_off = img->off.g_startpc;
	img->facts.g_waitreason_off = img->off.g_waitreason;
	img->facts.g_m_off = img->off.g_m;
	img->facts.m_curg_off = img->off.m_curg;
	img->facts.g_sched_bp_off = img->off.g_sched + img->off.gobuf_bp;
	img->sym = symbolizer__new(img->gb);
	if (!img->sym) {
		err = attach_error__set(e, AF_OTHER, -ENOMEM, "out of memory");
		goto cleanup;
	}
	return img;
cleanup:
	image__free(img);
	errno = -err;
	return NULL;
}

void image__free(struct image *img)
{
	if (!img)
		return;
	symbolizer__free(img->sym);
	gobin__free(img->gb);
	for (size_t i = 0; i < img->nwait_names; i++)
		free(img->wait_names[i]);
	free(img->wait_names);
	free(img);
}

void image__id(const struct image *img, uint64_t *dev, uint64_t *ino)
{
	*dev = img->dev;
	*ino = img->ino;
}

const char *image__path(const struct image *img)
{
	return img->exe;
}

const char *image__go_version(const struct image *img)
{
	return gobin__go_version(img->gb);
}

struct gobin *image__gobin(struct image *img)
{
	return img->gb;
}

const struct go_offsets *image__offsets(const struct image *img)
{
	return &img->off;
}

struct symbolizer *image__symbolizer(struct image *img)
{
	return img->sym;
}

const struct lifecycle_sites *image__sites(const struct image *img)
{
	return &img->sites;
}

const struct lc_target *image__facts(const struct image *img)
{
	return &img->facts;
}

uint64_t image__text_vaddr(const struct image *img)
{
	return img->text_vaddr;
}

uint64_t image__allgs(const struct image *img)
{
	return img->allgs;
}

void image__read_wait_names(struct image *img, struct procmem *pm, uint64_t bias)
{
	struct gobin_sym sym;
	size_t n;

	if (img->wait_names_read)
		return;
	img->wait_names_read = true;
	if (gobin__symbol(img->gb, "runtime.waitReasonStrings", &sym) || sym.size < 16)
		return;
	n = sym.size / 16;
	img->wait_names = calloc(n, sizeof(*img->wait_names));
	if (!img->wait_names)
		return;
	img->nwait_names = n;
	for (size_t i = 0; i < n; i++) {
		uint64_t hdr[2];
		char name[64];

		if (procmem__read(pm, sym.vaddr + bias + i * 16, hdr, sizeof(hdr)) || hdr[1] == 0 ||
		    hdr[1] >= sizeof(name) || procmem__read(pm, hdr[0], name, hdr[1]))
			continue;
		name[hdr[1]] = '\0';
		img->wait_names[i] = strdup(name);
	}
}

const char *image__wait_name(const struct image *img, uint32_t reason)
{
	if (reason < img->nwait_names && img->wait_names[reason])
		return img->wait_names[reason];
	return waitreason__name(img->ver.minor, reason);
}
