/* A Go executable on disk: ELF headers, symbols, the Go version from
 * .go.buildinfo, runtime struct offsets from DWARF. Opened by path, so a
 * running process is read through /proc/PID/exe (this also works when the
 * file was deleted or lives in another mount namespace). Read-only. */
#ifndef LINGER_GOBIN_H
#define LINGER_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gobin;
struct Dwarf;
struct pclntab;

struct gobin_sym {
	uint64_t vaddr; /* link-time virtual address */
	uint64_t size;
};

/* One defined, named .symtab entry. */
struct gobin_symbol {
	const char *name; /* owned by the gobin */
	uint64_t vaddr;
	uint64_t size;
	uint8_t type; /* STT_FUNC, STT_OBJECT, ... */
};

/* Offsets in bytes of the runtime fields linger reads. */
struct go_offsets {
	uint32_t g_goid;
	uint32_t g_gopc;
	uint32_t g_startpc;
	uint32_t g_atomicstatus;
	uint32_t g_waitreason;
	uint32_t g_waitsince;
	uint32_t g_m;
	uint32_t g_sched;
	int32_t g_parent_goid; /* -1 before Go 1.21 */
	uint32_t gobuf_pc;
	uint32_t gobuf_sp;
	uint32_t gobuf_bp;
	uint32_t m_curg;
};

/* Opens the ELF file at path. Returns NULL with errno set: ENOENT, EACCES,
 * ENOEXEC when the file is not an ELF file, ENOMEM. Any ELF opens; use
 * gobin__go_version to tell whether it is Go. */
struct gobin *gobin__open(const char *path);
/* Safe on NULL. */
void gobin__free(struct gobin *gb);

/* ELF e_machine (EM_X86_64, EM_AARCH64, ...). */
uint16_t gobin__machine(const struct gobin *gb);
/* True for ET_DYN (PIE) executables. */
bool gobin__is_pie(const struct gobin *gb);
/* The Go version recorded by the linker ("go1.19.8"), or NULL when the
 * binary has no readable .go.buildinfo (not a Go program). Owned by gb. */
const char *gobin__go_version(const struct gobin *gb);

/* Looks name up in .symtab. When .symtab has no symbols (a binary linked
 * with -ldflags=-s), looks functions up in the pclntab instead, with the
 * names and sizes .symtab would have given (see pclntab__func_by_name);
 * data symbols (runtime.allgs, runtime.buildVersion) are then not found.
 * Returns 0, or -ENOENT. */
int gobin__symbol(const struct gobin *gb, const char *name, struct gobin_sym *out);
/* Translates a link-time address to a file offset through PT_LOAD
 * segments, as uprobe attachment needs. 0 or -ENOENT. */
int gobin__file_offset(const struct gobin *gb, uint64_t vaddr, uint64_t *off);
/* Link-time address of the first executable PT_LOAD segment's start
 * (p_vaddr - p_offset), used with /proc/PID/maps to compute the load bias. */
uint64_t gobin__load_base(const struct gobin *gb);
/* Copies len file-backed bytes at vaddr into dst. 0 or -ENOENT/-EIO. */
int gobin__read(const struct gobin *gb, uint64_t vaddr, void *dst, size_t len);

/* All defined, named symbols of .symtab (no sections, files or undefined
 * ones), in file order. *syms stays valid until gobin__free. Returns the
 * count; 0 (and *syms NULL) for a stripped binary, whose functions are
 * listed by gobin__pclntab instead. */
size_t gobin__symbols(const struct gobin *gb, const struct gobin_symbol **syms);

/* The binary's DWARF for symbolization, opened on first use and kept
 * until gobin__free (the libdw handle also caches line tables, so callers
 * share it). It holds the DIEs, line tables and unit ranges only: no
 * location lists or CFI, which cost as much to decompress and nothing here
 * reads. DIE offsets are those of the file. Owned by gb: do not dwarf_end
 * it. NULL with errno ENODATA when the binary has none. Not thread-safe. */
struct Dwarf *gobin__dwarf(const struct gobin *gb);

/* The binary's Go pclntab (function table, names, pc→file:line), parsed
 * on first use and kept until gobin__free; it points into the mapped file.
 * Found by the .gopclntab section, or, when the section headers are gone,
 * by scanning the segments for a plausible header (bounded; see gobin.c).
 * For Go 1.26+, whose header no longer records runtime.text, the base comes
 * from the runtime.text symbol, the moduledata, or the .text section.
 * Owned by gb. NULL with errno ENODATA when there is none, or it is
 * unreadable. Not thread-safe. */
const struct pclntab *gobin__pclntab(const struct gobin *gb);

/* Reads the offsets of runtime.g, runtime.gobuf and runtime.m members
 * from DWARF. 0, or -ENODATA when the binary has no DWARF or lacks one of
 * the members (the message says which with -v). */
int gobin__offsets(const struct gobin *gb, struct go_offsets *out);

#endif
