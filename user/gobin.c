/* A Go executable on disk, read through libelf (headers, segments,
 * .symtab, .go.buildinfo), libdw (runtime struct layouts) and the pclntab
 * (functions of stripped binaries). Everything linger needs from the file
 * is gathered once at open or on first use, so the per-call functions are
 * lookups. The file may be any ELF, hostile or truncated: offsets and sizes
 * from its headers are checked before use. */
#include "gobin.h"

#include "goversion.h"
#include "log.h"
#include "pclntab.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Enough for every version a toolchain writes, experiments included. */
#define GOBIN_VERSION_MAX 256
/* The version sits in the first bytes of .go.buildinfo (the module info
 * after it can be long); without that section it is near the start of the
 * data segment, and debug/buildinfo looked no further than 64 KiB. */
#define BUILDINFO_SCAN_MAX (64 * 1024)
/* Without section headers the pclntab is searched for in the segments'
 * bytes; this bounds the search (the largest Go binaries are a few hundred
 * MiB, their pclntab a fraction of that, and the search stops at the
 * first table found). */
#define PCLNTAB_SCAN_MAX (512ull * 1024 * 1024)

struct gobin_load {
	uint64_t vaddr;
	uint64_t offset;
	uint64_t filesz;
	uint32_t flags;
};

/* An ELF image in memory that holds decompressed copies of some of the
 * binary's debug sections and nothing else. libdw decompresses every debug
 * section it knows at dwarf_begin_elf; on a Go binary .debug_loc and
 * .debug_frame alone cost as much as the line tables, and a type lookup
 * needs neither. Handing libdw this image instead makes it pay only for
 * what the caller reads. */
struct dbg_image {
	uint8_t *buf;
	Elf *elf;
	Dwarf *dw;
};

/* Sections a type lookup reads: DIEs, their abbreviations, their strings. */
static const char *const dbg_for_types[] = {"info",	   "abbrev", "str", "line_str",
					    "str_offsets", "addr",   NULL};
/* What line lookups add: line programs, unit ranges. */
static const char *const dbg_for_lines[] = {"info",	   "abbrev",  "str",  "line_str",
					    "str_offsets", "addr",    "line", "ranges",
					    "rnglists",	   "aranges", NULL};

/* State filled on first use through a const gobin. */
struct gobin_lazy {
	struct dbg_image lines;
	bool lines_tried;
	struct pclntab *pcln;
	bool pcln_tried;
};

struct gobin {
	int fd;
	Elf *elf;
	uint64_t file_size;
	uint16_t machine;
	bool pie;
	uint64_t load_base;
	struct gobin_load *loads;
	size_t nloads;
	struct gobin_symbol *syms;
	size_t nsyms;
	/* Open addressing over syms by name: index + 1, 0 for an empty slot. */
	uint32_t *hash;
	size_t hash_mask;
	bool has_version;
	char version[GOBIN_VERSION_MAX];
	struct gobin_lazy *lazy;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int load_segments(struct gobin *gb)
{
	size_t n, i;
	bool have_exec = false;

	if (elf_getphdrnum(gb->elf, &n))
		return -ENOEXEC;
	gb->loads = calloc(n ? n : 1, sizeof(*gb->loads));
	if (!gb->loads)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;
		struct gobin_load *l;

		if (!gelf_getphdr(gb->elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD)
			continue;
		/* A segment that wraps or lies past the end of the file cannot
		 * back any read; keeping it would only make offsets lie. */
		if (ph.p_offset > gb->file_size || ph.p_filesz > gb->file_size - ph.p_offset ||
		    ph.p_vaddr + ph.p_filesz < ph.p_vaddr)
			continue;
		l = &gb->loads[gb->nloads++];
		l->vaddr = ph.p_vaddr;
		l->offset = ph.p_offset;
		l->filesz = ph.p_filesz;
		l->flags = ph.p_flags;
		if (!have_exec && (ph.p_flags & PF_X)) {
			gb->load_base = ph.p_vaddr - ph.p_offset;
			have_exec = true;
		}
	}
	return 0;
}

static Elf_Scn *find_section(Elf *elf, Elf64_Word type, const char *name)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sname;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (type != SHT_NULL && sh.sh_type != type)
			continue;
		if (!name)
			return scn;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sname && !strcmp(sname, name))
			return scn;
	}
	return NULL;
}

static void hash_insert(struct gobin *gb, uint32_t idx)
{
	const char *name = gb->syms[idx].name;
	size_t slot = name_hash(name) & gb->hash_mask;

	while (gb->hash[slot]) {
		/* Keep the first definition of a duplicated name. */
		if (!strcmp(gb->syms[gb->hash[slot] - 1].name, name))
			return;
		slot = (slot + 1) & gb->hash_mask;
	}
	gb->hash[slot] = idx + 1;
}

/* Copies the defined, named symbols of .symtab and indexes them by name.
 * Names point into the string table as libelf maps it, which lives as
 * long as the Elf handle. A binary without .symtab keeps no symbols. */
static int load_symbols(struct gobin *gb)
{
	Elf_Scn *scn = find_section(gb->elf, SHT_SYMTAB, NULL);
	Elf_Data *data, *strdata;
	GElf_Shdr sh;
	size_t n, i, cap, esz;

	if (!scn)
		return 0;
	if (!gelf_getshdr(scn, &sh))
		return 0;
	data = elf_getdata(scn, NULL);
	strdata = elf_getdata(elf_getscn(gb->elf, sh.sh_link), NULL);
	if (!data || !strdata || !strdata->d_buf || !strdata->d_size)
		return 0;
	/* Every name must end inside the table; one final NUL proves it. */
	if (((const char *)strdata->d_buf)[strdata->d_size - 1] != '\0')
		return 0;
	/* Sized by the class, not by a sh_entsize the file could fake. */
	esz = gelf_fsize(gb->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!esz)
		return 0;
	n = data->d_size / esz;
	if (n >= UINT32_MAX / 2)
		return -ENOEXEC;
	gb->syms = calloc(n ? n : 1, sizeof(*gb->syms));
	if (!gb->syms)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		int type;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if (sym.st_shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE)
			continue;
		if (sym.st_name == 0 || sym.st_name >= strdata->d_size)
			continue;
		gb->syms[gb->nsyms].name = (const char *)strdata->d_buf + sym.st_name;
		gb->syms[gb->nsyms].vaddr = sym.st_value;
		gb->syms[gb->nsyms].size = sym.st_size;
		gb->syms[gb->nsyms].type = (uint8_t)type;
		gb->nsyms++;
	}
	/* A power of two at least twice the count keeps probe chains short. */
	for (cap = 16; cap < 2 * gb->nsyms; cap *= 2)
		;
	gb->hash = calloc(cap, sizeof(*gb->hash));
	if (!gb->hash)
		return -ENOMEM;
	gb->hash_mask = cap - 1;
	for (i = 0; i < gb->nsyms; i++)
		hash_insert(gb, (uint32_t)i);
	return 0;
}

/* Reads up to size bytes at a file offset into a new buffer (fewer when
 * the file ends first); *len says how many. */
static int read_file_range(const struct gobin *gb, uint64_t off, uint64_t size, uint8_t **buf,
			   size_t *len)
{
	ssize_t got;

	if (off > gb->file_size)
		return -EIO;
	if (size > gb->file_size - off)
		size = gb->file_size - off;
	*buf = malloc(size ? size : 1);
	if (!*buf)
		return -ENOMEM;
	got = pread(gb->fd, *buf, size, (off_t)off);
	if (got < 0) {
		free(*buf);
		*buf = NULL;
		return -errno;
	}
	*len = (size_t)got;
	return 0;
}

static int buildinfo_read(void *ctx, uint64_t vaddr, void *dst, size_t size)
{
	return gobin__read(ctx, vaddr, dst, size);
}

/* Reads the version from the .go.buildinfo blob at the start of the file
 * bytes [off, off + size). 0 or -errno. */
static int buildinfo_at(struct gobin *gb, uint64_t off, uint64_t size)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err;

	if (size > BUILDINFO_SCAN_MAX)
		size = BUILDINFO_SCAN_MAX;
	if (!size)
		return -ENOENT;
	err = read_file_range(gb, off, size, &buf, &len);
	if (err)
		return err;
	err = buildinfo__version(buf, len, buildinfo_read, gb, gb->version, sizeof(gb->version));
	free(buf);
	return err;
}

/* Finds the Go version: .go.buildinfo by section name, else the start of
 * a writable segment (where linkers before sections were named put the
 * blob: the first one, or in PIE the one after .data.rel.ro), else the
 * runtime.buildVersion string. */
static void load_version(struct gobin *gb)
{
	Elf_Scn *scn = find_section(gb->elf, SHT_PROGBITS, ".go.buildinfo");
	struct gobin_sym sym;
	uint8_t strhdr[16];
	uint64_t data, n;
	GElf_Shdr sh;
	size_t i;
	int err;

	if (scn && gelf_getshdr(scn, &sh)) {
		err = buildinfo_at(gb, sh.sh_offset, sh.sh_size);
		if (!err) {
			gb->has_version = true;
			return;
		}
		debug("unreadable .go.buildinfo: %s", strerror(-err));
	} else if (!scn) {
		for (i = 0; i < gb->nloads; i++) {
			if ((gb->loads[i].flags & (PF_W | PF_X)) != PF_W)
				continue;
			if (!buildinfo_at(gb, gb->loads[i].offset, gb->loads[i].filesz)) {
				gb->has_version = true;
				return;
			}
		}
	}
	/* runtime.buildVersion is a Go string: {data, len}, little endian on
	 * every 64-bit target linger supports. */
	if (gobin__symbol(gb, "runtime.buildVersion", &sym) || sym.size != 16)
		return;
	if (gobin__read(gb, sym.vaddr, strhdr, sizeof(strhdr)))
		return;
	memcpy(&data, strhdr, 8);
	memcpy(&n, strhdr + 8, 8);
	if (n == 0 || n >= sizeof(gb->version) || gobin__read(gb, data, gb->version, n))
		return;
	if (memchr(gb->version, '\0', n))
		return;
	gb->version[n] = '\0';
	gb->has_version = true;
}

static void dbg_image__free(struct dbg_image *img)
{
	if (img->dw)
		dwarf_end(img->dw);
	if (img->elf)
		elf_end(img->elf);
	free(img->buf);
	memset(img, 0, sizeof(*img));
}

struct dbg_section {
	const char *name; /* without the ".debug_" */
	const void *data;
	size_t size;
};

/* The part of a debug section name after ".debug_" (or ".zdebug_", Go
 * 1.17's compressed form), or NULL for another section. */
static const char *debug_suffix(const char *name)
{
	if (!strncmp(name, ".debug_", 7))
		return name + 7;
	if (!strncmp(name, ".zdebug_", 8))
		return name + 8;
	return NULL;
}

/* Decompresses in src (an Elf handle only this function uses) the sections
 * named in want and lists them in secs. Returns the count. */
/* The most a debug section may inflate to. The DWARF of the largest Go
 * binaries seen (hundreds of MB of code) inflates to well under this; a
 * crafted section claiming gigabytes of zeros would otherwise make linger,
 * which as a node agent reads every container's binaries, allocate them. */
#define DEBUG_SECTION_MAX (256u << 20)

/* The size a compressed section claims it inflates to, or 0 when it is
 * not compressed or the claim cannot be read. */
static uint64_t inflated_size(Elf_Scn *scn, const GElf_Shdr *sh, const char *name)
{
	Elf_Data *raw;
	GElf_Chdr ch;
	uint64_t size = 0;

	if (sh->sh_flags & SHF_COMPRESSED)
		return gelf_getchdr(scn, &ch) ? ch.ch_size : UINT64_MAX;
	if (name[1] != 'z')
		return 0;
	/* .zdebug_*: "ZLIB" and the size, 8 bytes big-endian. */
	raw = elf_rawdata(scn, NULL);
	if (!raw || !raw->d_buf || raw->d_size < 12 || memcmp(raw->d_buf, "ZLIB", 4))
		return UINT64_MAX;
	for (int i = 0; i < 8; i++)
		size = size << 8 | ((const uint8_t *)raw->d_buf)[4 + i];
	return size;
}

static size_t collect_debug(Elf *src, const char *const *want, struct dbg_section *secs, size_t max)
{
	size_t shstrndx, n = 0, i;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(src, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(src, scn)) && n < max) {
		const char *name, *suffix;
		Elf_Data *data;
		GElf_Shdr sh;
		bool dup = false;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(src, shstrndx, sh.sh_name);
		suffix = name ? debug_suffix(name) : NULL;
		if (!suffix)
			continue;
		for (i = 0; want[i] && strcmp(want[i], suffix); i++)
			;
		if (!want[i])
			continue;
		/* .debug_x and .zdebug_x both present: keep the first. */
		for (size_t j = 0; j < n; j++)
			dup |= secs[j].name == want[i];
		if (dup)
			continue;
		if (inflated_size(scn, &sh, name) > DEBUG_SECTION_MAX) {
			debug("%s claims more than %u MiB inflated: not read", name,
			      DEBUG_SECTION_MAX >> 20);
			continue;
		}
		if ((sh.sh_flags & SHF_COMPRESSED) ? elf_compress(scn, 0, 0) < 0
		    : name[1] == 'z'		   ? elf_compress_gnu(scn, 0, 0) < 0
						   : false) {
			debug("cannot decompress %s: %s", name, elf_errmsg(-1));
			continue;
		}
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || !data->d_size)
			continue;
		secs[n].name = want[i];
		secs[n].data = data->d_buf;
		secs[n].size = data->d_size;
		n++;
	}
	return n;
}

/* Builds img from the debug sections of gb named in want ("info",
 * "abbrev", ...). The layout is an ELF header, the section bytes, the
 * section names, then the section headers. Returns 0, -ENODATA when the
 * binary has no .debug_info, -ENOTSUP for a byte order other than the
 * host's, or -ENOMEM. */
static int dbg_image__build(const struct gobin *gb, const char *const *want, struct dbg_image *img)
{
	struct dbg_section secs[16];
	Elf *src = NULL;
	GElf_Ehdr eh;
	Elf64_Ehdr *out;
	Elf64_Shdr *sh;
	size_t n, i, total, shstr_off, shstr_size, sh_off, name_off;
	bool have_info = false;
	int err = 0;

	memset(img, 0, sizeof(*img));
	/* A second handle: decompression replaces section data in place, and
	 * gb->elf must keep serving the raw file. */
	src = elf_begin(gb->fd, ELF_C_READ_MMAP, NULL);
	if (!src || !gelf_getehdr(src, &eh)) {
		err = -ENODATA;
		goto cleanup;
	}
	if (eh.e_ident[EI_DATA] !=
	    (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB)) {
		err = -ENOTSUP;
		goto cleanup;
	}
	n = collect_debug(src, want, secs, sizeof(secs) / sizeof(secs[0]));
	total = sizeof(Elf64_Ehdr);
	shstr_size = 1 + strlen(".shstrtab") + 1;
	for (i = 0; i < n; i++) {
		have_info |= !strcmp(secs[i].name, "info");
		total += secs[i].size;
		shstr_size += strlen(".debug_") + strlen(secs[i].name) + 1;
	}
	if (!have_info) {
		err = -ENODATA;
		goto cleanup;
	}
	shstr_off = total;
	sh_off = (shstr_off + shstr_size + 7) & ~(size_t)7;
	total = sh_off + (n + 2) * sizeof(Elf64_Shdr);
	img->buf = calloc(1, total);
	if (!img->buf) {
		err = -ENOMEM;
		goto cleanup;
	}
	out = (Elf64_Ehdr *)img->buf;
	memcpy(out->e_ident, ELFMAG, SELFMAG);
	out->e_ident[EI_CLASS] = ELFCLASS64;
	out->e_ident[EI_DATA] = eh.e_ident[EI_DATA];
	out->e_ident[EI_VERSION] = EV_CURRENT;
	out->e_type = ET_EXEC;
	out->e_machine = eh.e_machine;
	out->e_version = EV_CURRENT;
	out->e_shoff = sh_off;
	out->e_ehsize = sizeof(Elf64_Ehdr);
	out->e_shentsize = sizeof(Elf64_Shdr);
	out->e_shnum = (Elf64_Half)(n + 2);
	out->e_shstrndx = (Elf64_Half)(n + 1);
	sh = (Elf64_Shdr *)(img->buf + sh_off);
	name_off = 1;
	total = sizeof(Elf64_Ehdr);
	for (i = 0; i < n; i++) {
		char *name = (char *)img->buf + shstr_off + name_off;

		sprintf(name, ".debug_%s", secs[i].name);
		sh[i + 1].sh_name = (Elf64_Word)name_off;
		sh[i + 1].sh_type = SHT_PROGBITS;
		sh[i + 1].sh_offset = total;
		sh[i + 1].sh_size = secs[i].size;
		sh[i + 1].sh_addralign = 1;
		memcpy(img->buf + total, secs[i].data, secs[i].size);
		total += secs[i].size;
		name_off += strlen(name) + 1;
	}
	strcpy((char *)img->buf + shstr_off + name_off, ".shstrtab");
	sh[n + 1].sh_name = (Elf64_Word)name_off;
	sh[n + 1].sh_type = SHT_STRTAB;
	sh[n + 1].sh_offset = shstr_off;
	sh[n + 1].sh_size = shstr_size;
	sh[n + 1].sh_addralign = 1;
	img->elf = elf_memory((char *)img->buf, sh_off + (n + 2) * sizeof(Elf64_Shdr));
	if (!img->elf) {
		err = -ENOMEM;
		goto cleanup;
	}
	img->dw = dwarf_begin_elf(img->elf, DWARF_C_READ, NULL);
	if (!img->dw) {
		debug("libdw refuses the debug sections: %s", dwarf_errmsg(-1));
		err = -ENODATA;
	}
cleanup:
	if (src)
		elf_end(src);
	if (err)
		dbg_image__free(img);
	return err;
}

struct gobin *gobin__open(const char *path)
{
	struct gobin *gb = NULL;
	GElf_Ehdr eh;
	struct stat st;
	int err = 0;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		err = -ENOEXEC;
		goto cleanup;
	}
	gb = calloc(1, sizeof(*gb));
	if (!gb) {
		err = -ENOMEM;
		goto cleanup;
	}
	gb->fd = -1;
	gb->lazy = calloc(1, sizeof(*gb->lazy));
	if (!gb->lazy) {
		err = -ENOMEM;
		goto cleanup;
	}
	gb->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (gb->fd < 0) {
		err = -errno;
		goto cleanup;
	}
	if (fstat(gb->fd, &st)) {
		err = -errno;
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -ENOEXEC;
		goto cleanup;
	}
	gb->file_size = (uint64_t)st.st_size;
	gb->elf = elf_begin(gb->fd, ELF_C_READ_MMAP, NULL);
	if (!gb->elf || elf_kind(gb->elf) != ELF_K_ELF || !gelf_getehdr(gb->elf, &eh)) {
		err = -ENOEXEC;
		goto cleanup;
	}
	gb->machine = eh.e_machine;
	gb->pie = eh.e_type == ET_DYN;
	err = load_segments(gb);
	if (err)
		goto cleanup;
	err = load_symbols(gb);
	if (err)
		goto cleanup;
	load_version(gb);
	debug("%s: machine %u, %s, %zu symbols, %s", path, gb->machine, gb->pie ? "PIE" : "static",
	      gb->nsyms, gb->has_version ? gb->version : "no Go version");
cleanup:
	if (err) {
		gobin__free(gb);
		errno = -err;
		return NULL;
	}
	return gb;
}

void gobin__free(struct gobin *gb)
{
	if (!gb)
		return;
	if (gb->lazy) {
		dbg_image__free(&gb->lazy->lines);
		pclntab__free(gb->lazy->pcln);
		free(gb->lazy);
	}
	if (gb->elf)
		elf_end(gb->elf);
	if (gb->fd >= 0)
		close(gb->fd);
	free(gb->hash);
	free(gb->syms);
	free(gb->loads);
	free(gb);
}

uint16_t gobin__machine(const struct gobin *gb)
{
	return gb->machine;
}

bool gobin__is_pie(const struct gobin *gb)
{
	return gb->pie;
}

const char *gobin__go_version(const struct gobin *gb)
{
	return gb->has_version ? gb->version : NULL;
}

int gobin__symbol(const struct gobin *gb, const char *name, struct gobin_sym *out)
{
	const struct pclntab *pcln;
	size_t slot;

	/* Stripped: functions are still in the pclntab; data symbols are not
	 * anywhere. */
	if (!gb->nsyms) {
		pcln = gobin__pclntab(gb);
		if (!pcln || pclntab__func_by_name(pcln, name, &out->vaddr, &out->size))
			return -ENOENT;
		return 0;
	}
	if (!gb->hash)
		return -ENOENT;
	for (slot = name_hash(name) & gb->hash_mask; gb->hash[slot];
	     slot = (slot + 1) & gb->hash_mask) {
		const struct gobin_symbol *s = &gb->syms[gb->hash[slot] - 1];

		if (!strcmp(s->name, name)) {
			out->vaddr = s->vaddr;
			out->size = s->size;
			return 0;
		}
	}
	return -ENOENT;
}

size_t gobin__symbols(const struct gobin *gb, const struct gobin_symbol **syms)
{
	*syms = gb->nsyms ? gb->syms : NULL;
	return gb->nsyms;
}

/* The PT_LOAD whose file-backed bytes hold [vaddr, vaddr + len). */
static const struct gobin_load *load_of(const struct gobin *gb, uint64_t vaddr, uint64_t len)
{
	size_t i;

	for (i = 0; i < gb->nloads; i++) {
		const struct gobin_load *l = &gb->loads[i];

		if (vaddr >= l->vaddr && vaddr - l->vaddr < l->filesz &&
		    len <= l->filesz - (vaddr - l->vaddr))
			return l;
	}
	return NULL;
}

int gobin__file_offset(const struct gobin *gb, uint64_t vaddr, uint64_t *off)
{
	const struct gobin_load *l = load_of(gb, vaddr, 1);

	if (!l)
		return -ENOENT;
	*off = vaddr - l->vaddr + l->offset;
	return 0;
}

uint64_t gobin__load_base(const struct gobin *gb)
{
	return gb->load_base;
}

int gobin__read(const struct gobin *gb, uint64_t vaddr, void *dst, size_t len)
{
	const struct gobin_load *l;
	uint8_t *p = dst;
	uint64_t off;

	if (len == 0)
		return 0;
	l = load_of(gb, vaddr, len);
	if (!l)
		return -ENOENT;
	off = vaddr - l->vaddr + l->offset;
	while (len) {
		ssize_t got = pread(gb->fd, p, len, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		/* The file shrank under us, or the disk failed. */
		if (got <= 0)
			return -EIO;
		p += got;
		off += (uint64_t)got;
		len -= (size_t)got;
	}
	return 0;
}

/* The file's bytes as libelf holds them (mapped), or NULL. */
static const uint8_t *raw_file(const struct gobin *gb, size_t *size)
{
	const char *raw = elf_rawfile(gb->elf, size);

	if (!raw || *size > gb->file_size)
		return NULL;
	return (const uint8_t *)raw;
}

/* Where the pclntab is: the .gopclntab section (.data.rel.ro.gopclntab in
 * externally linked PIE), else the first table pclntab__find sees in the
 * PT_LOAD segments' bytes, read-only segments first (where the Go linker
 * puts it since 1.16), then executable, then writable ones, at most
 * PCLNTAB_SCAN_MAX bytes in all; also when the section's bytes are no
 * pclntab. The table runs to the end of its section or segment. 0 with
 * *off (file offset), *len and *vaddr, or -ENOENT. */
static int locate_pclntab(const struct gobin *gb, const uint8_t *raw, size_t rawsize, uint64_t *off,
			  uint64_t *len, uint64_t *vaddr)
{
	static const uint32_t classes[] = {0, PF_X, PF_W};
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab"};
	struct pclntab_header h;
	uint64_t scanned = 0;
	size_t i, c;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		Elf_Scn *scn = find_section(gb->elf, SHT_PROGBITS, names[i]);
		GElf_Shdr sh;

		if (!scn || !gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_offset > rawsize || sh.sh_size > rawsize - sh.sh_offset) {
			debug("%s lies outside the file", names[i]);
			continue;
		}
		if (pclntab__header(raw + sh.sh_offset, (size_t)sh.sh_size, &h)) {
			debug("%s holds no pclntab", names[i]);
			continue;
		}
		*off = sh.sh_offset;
		*len = sh.sh_size;
		*vaddr = sh.sh_addr;
		return 0;
	}
	for (c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		for (i = 0; i < gb->nloads; i++) {
			const struct gobin_load *l = &gb->loads[i];
			uint64_t n = l->filesz;
			size_t at;

			if ((l->flags & (PF_X | PF_W)) != classes[c] || l->offset > rawsize)
				continue;
			if (n > rawsize - l->offset)
				n = rawsize - l->offset;
			if (n > PCLNTAB_SCAN_MAX - scanned)
				n = PCLNTAB_SCAN_MAX - scanned;
			scanned += n;
			if (pclntab__find(raw + l->offset, (size_t)n, &at))
				continue;
			*off = l->offset + at;
			*len = n - at;
			*vaddr = l->vaddr + at;
			debug("pclntab found by scanning, at 0x%" PRIx64, *vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

/* runtime.text, the base of the pclntab's entry offsets, for a header that
 * does not give it (Go 1.26+): the runtime.text symbol, else the text field
 * of the moduledata (exact even when an external linker put C code first),
 * else the start of .text as Go's own tools assume. 0 or -ENOENT. */
static int text_start(const struct gobin *gb, const uint8_t *raw, size_t rawsize,
		      const uint8_t *pcln, uint64_t len, uint64_t vaddr, uint64_t *text)
{
	struct gobin_sym sym;
	Elf_Scn *scn;
	GElf_Shdr sh;
	size_t i;

	if (gb->nsyms && !gobin__symbol(gb, "runtime.text", &sym)) {
		*text = sym.vaddr;
		return 0;
	}
	for (i = 0; i < gb->nloads; i++) {
		const struct gobin_load *l = &gb->loads[i];

		if (!(l->flags & PF_W) || l->offset > rawsize || l->filesz > rawsize - l->offset)
			continue;
		if (!pclntab__moduledata_text(pcln, (size_t)len, vaddr, raw + l->offset,
					      (size_t)l->filesz, text))
			return 0;
	}
	scn = find_section(gb->elf, SHT_PROGBITS, ".text");
	if (scn && gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR)) {
		*text = sh.sh_addr;
		return 0;
	}
	return -ENOENT;
}

static struct pclntab *load_pclntab(const struct gobin *gb)
{
	struct pclntab_header h;
	const uint8_t *raw;
	struct pclntab *p;
	uint64_t off, len, vaddr, text = 0;
	size_t rawsize;
	int err;

	raw = raw_file(gb, &rawsize);
	if (!raw || locate_pclntab(gb, raw, rawsize, &off, &len, &vaddr)) {
		debug("no pclntab");
		return NULL;
	}
	err = pclntab__header(raw + off, (size_t)len, &h);
	if (err) {
		debug("unreadable pclntab header: %s", strerror(-err));
		return NULL;
	}
	if (h.layout != PCLNTAB_GO116 && !h.text_start &&
	    text_start(gb, raw, rawsize, raw + off, len, vaddr, &text)) {
		debug("pclntab: no runtime.text to base its entries on");
		return NULL;
	}
	p = pclntab__new(raw + off, (size_t)len, text);
	if (!p) {
		debug("unreadable pclntab: %s", strerror(errno));
		return NULL;
	}
	debug("pclntab: Go %d.%d layout, %zu functions, text at 0x%" PRIx64,
	      pclntab__layout(p) / 100, pclntab__layout(p) % 100, pclntab__nfunc(p),
	      pclntab__text_start(p));
	return p;
}

const struct pclntab *gobin__pclntab(const struct gobin *gb)
{
	struct gobin_lazy *lz = gb->lazy;

	if (!lz->pcln_tried) {
		lz->pcln_tried = true;
		lz->pcln = load_pclntab(gb);
	}
	if (!lz->pcln)
		errno = ENODATA;
	return lz->pcln;
}

struct Dwarf *gobin__dwarf(const struct gobin *gb)
{
	struct gobin_lazy *lz = gb->lazy;
	int err;

	if (!lz->lines_tried) {
		lz->lines_tried = true;
		err = dbg_image__build(gb, dbg_for_lines, &lz->lines);
		if (err)
			debug("no DWARF line tables: %s", strerror(-err));
	}
	if (!lz->lines.dw)
		errno = ENODATA;
	return lz->lines.dw;
}

/* What gobin__offsets looks for: struct, member, where the offset goes.
 * A member marked optional may be missing (parentGoid before Go 1.21). */
struct member_want {
	const char *type;
	const char *member;
	size_t field; /* offsetof(struct go_offsets, ...) */
	bool optional;
};

#define WANT(t, m, f, o)                                                                           \
	{                                                                                          \
		t, m, offsetof(struct go_offsets, f), o                                            \
	}

static const struct member_want wanted[] = {
    WANT("runtime.g", "goid", g_goid, false),
    WANT("runtime.g", "gopc", g_gopc, false),
    WANT("runtime.g", "startpc", g_startpc, false),
    WANT("runtime.g", "atomicstatus", g_atomicstatus, false),
    WANT("runtime.g", "waitreason", g_waitreason, false),
    WANT("runtime.g", "waitsince", g_waitsince, false),
    WANT("runtime.g", "m", g_m, false),
    WANT("runtime.g", "sched", g_sched, false),
    WANT("runtime.g", "parentGoid", g_parent_goid, true),
    WANT("runtime.gobuf", "pc", gobuf_pc, false),
    WANT("runtime.gobuf", "sp", gobuf_sp, false),
    WANT("runtime.gobuf", "bp", gobuf_bp, false),
    WANT("runtime.m", "curg", m_curg, false),
};

#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

static const char *const wanted_types[] = {"runtime.g", "runtime.gobuf", "runtime.m"};

#define NTYPES (sizeof(wanted_types) / sizeof(wanted_types[0]))

/* DW_AT_data_member_location is a constant in Go's DWARF; DWARF 2 style
 * producers write a DW_OP_plus_uconst expression instead. */
static int member_offset(Dwarf_Die *die, Dwarf_Word *off)
{
	Dwarf_Attribute attr;
	Dwarf_Op *expr;
	size_t n;

	if (!dwarf_attr(die, DW_AT_data_member_location, &attr))
		return -ENOENT;
	if (!dwarf_formudata(&attr, off))
		return 0;
	if (dwarf_getlocation(&attr, &expr, &n) || n != 1 || expr[0].atom != DW_OP_plus_uconst)
		return -ENOENT;
	*off = expr[0].number;
	return 0;
}

/* Records the wanted members of the struct type named tname. */
static void read_members(Dwarf_Die *type, const char *tname, struct go_offsets *out, bool *found)
{
	Dwarf_Die child;
	size_t i;

	if (dwarf_child(type, &child))
		return;
	do {
		const char *name;
		Dwarf_Word off;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		name = dwarf_diename(&child);
		if (!name)
			continue;
		for (i = 0; i < NWANTED; i++) {
			const struct member_want *w = &wanted[i];

			if (found[i] || strcmp(w->type, tname) || strcmp(w->member, name))
				continue;
			if (member_offset(&child, &off) || off > INT32_MAX)
				continue;
			/* g_parent_goid is the only signed field; both are 32 bits. */
			if (w->field == offsetof(struct go_offsets, g_parent_goid))
				out->g_parent_goid = (int32_t)off;
			else
				*(uint32_t *)((char *)out + w->field) = (uint32_t)off;
			found[i] = true;
		}
	} while (!dwarf_siblingof(&child, &child));
}

int gobin__offsets(const struct gobin *gb, struct go_offsets *out)
{
	struct dbg_image img = {0};
	Dwarf *dw;
	bool found[NWANTED] = {false};
	bool have_type[NTYPES] = {false};
	struct go_offsets o;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, die;
	size_t ntypes = 0, i;
	int err = 0;

	memset(&o, 0, sizeof(o));
	o.g_parent_goid = -1;
	/* Not gobin__dwarf: the types need .debug_info alone, not the line and
	 * range tables that a symbolizer wants decompressed too. Reuse those
	 * only when someone already paid for them. */
	dw = gb->lazy->lines.dw;
	if (!dw) {
		err = dbg_image__build(gb, dbg_for_types, &img);
		if (err) {
			debug("no DWARF to read runtime offsets from: %s", strerror(-err));
			err = -ENODATA;
			goto cleanup;
		}
		dw = img.dw;
	}
	/* runtime types are top-level DIEs of one unit; stop at the first unit
	 * that completes the set rather than walking every package. */
	while (ntypes < NTYPES && !dwarf_get_units(dw, cu, &cu, NULL, NULL, &cudie, NULL)) {
		if (dwarf_child(&cudie, &die))
			continue;
		do {
			const char *name;

			if (dwarf_tag(&die) != DW_TAG_structure_type ||
			    dwarf_hasattr(&die, DW_AT_declaration))
				continue;
			name = dwarf_diename(&die);
			if (!name || strncmp(name, "runtime.", 8))
				continue;
			for (i = 0; i < NTYPES; i++) {
				if (have_type[i] || strcmp(name, wanted_types[i]))
					continue;
				read_members(&die, name, &o, found);
				have_type[i] = true;
				ntypes++;
			}
		} while (ntypes < NTYPES && !dwarf_siblingof(&die, &die));
	}
	for (i = 0; i < NWANTED; i++) {
		if (found[i] || wanted[i].optional)
			continue;
		debug("DWARF has no %s.%s", wanted[i].type, wanted[i].member);
		err = -ENODATA;
	}
	if (!err)
		*out = o;
cleanup:
	dbg_image__free(&img);
	return err;
}
