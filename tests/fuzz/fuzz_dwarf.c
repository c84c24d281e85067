/* Fuzzes the DWARF readers: gobin__offsets (runtime struct member offsets)
 * and the symbolizer's unit ranges and line tables, with the input's
 * bytes as the debug sections of an ELF file built here, so mutations land
 * in DWARF rather than in ELF headers (fuzz_gobin covers those).
 *
 * Input: 1 byte flags (bit 0: the ranges section is .debug_rnglists, not
 * .debug_ranges), 4 little-endian uint32 lengths of .debug_abbrev,
 * .debug_str, .debug_line and the ranges section, those sections' bytes,
 * then .debug_info to the end. The file also has a .symtab with one
 * function, main.main at [0x401000, 0x402000), where the lookups go. */
#include "fuzz_gobin.h"

#include <elf.h>

#define TEXT_VADDR 0x401000ULL
#define TEXT_SIZE  0x1000ULL

enum { S_NULL, S_ABBREV, S_STR, S_LINE, S_RANGES, S_INFO, S_SYMTAB, S_STRTAB, S_SHSTRTAB, S_NUM };

static const char shstrtab[] = "\0.debug_abbrev\0.debug_str\0.debug_line\0.debug_ranges\0"
			       ".debug_rnglists\0.debug_info\0.symtab\0.strtab\0.shstrtab";
static const char strtab[] = "\0main.main";

static uint32_t name_off(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(shstrtab); i += strlen(shstrtab + i) + 1)
		if (!strcmp(shstrtab + i, name))
			return (uint32_t)i;
	abort();
}

/* Lays the ELF out in out (which has room): header, section bytes, then
 * the section headers. Returns its size. */
static size_t build_elf(uint8_t *out, const uint8_t *sec[S_NUM], const size_t len[S_NUM],
			bool rnglists)
{
	static const char *const names[S_NUM] = {
	    "",	       ".debug_abbrev", ".debug_str", ".debug_line", ".debug_ranges", ".debug_info",
	    ".symtab", ".strtab",	".shstrtab"};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)out;
	Elf64_Shdr sh[S_NUM];
	size_t at = sizeof(*eh), i;

	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = S_NUM;
	eh->e_shstrndx = S_SHSTRTAB;
	memset(sh, 0, sizeof(sh));
	for (i = 1; i < S_NUM; i++) {
		const char *name = i == S_RANGES && rnglists ? ".debug_rnglists" : names[i];

		sh[i].sh_name = name_off(name);
		sh[i].sh_type = SHT_PROGBITS;
		if (i == S_STRTAB || i == S_SHSTRTAB)
			sh[i].sh_type = SHT_STRTAB;
		sh[i].sh_offset = at;
		sh[i].sh_size = len[i];
		sh[i].sh_addralign = i == S_SYMTAB ? 8 : 1;
		if (i == S_SYMTAB) {
			sh[i].sh_type = SHT_SYMTAB;
			sh[i].sh_link = S_STRTAB;
			sh[i].sh_info = 1;
			sh[i].sh_entsize = sizeof(Elf64_Sym);
		}
		memcpy(out + at, sec[i], len[i]);
		at += len[i];
	}
	at = (at + 7) & ~(size_t)7;
	eh->e_shoff = at;
	memcpy(out + at, sh, sizeof(sh));
	return at + sizeof(sh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sec[S_NUM] = {0};
	size_t len[S_NUM] = {0}, total, i;
	struct fuzz_in in = {data, size};
	Elf64_Sym syms[2];
	bool rnglists;
	uint8_t *elf;

	rnglists = fuzz__take(&in, 1) & 1;
	for (i = S_ABBREV; i <= S_RANGES; i++)
		len[i] = (size_t)fuzz__take(&in, 4);
	for (i = S_ABBREV; i <= S_RANGES; i++) {
		if (len[i] > in.left)
			len[i] = in.left;
		sec[i] = in.p;
		in.p += len[i];
		in.left -= len[i];
	}
	sec[S_INFO] = in.p;
	len[S_INFO] = in.left;
	memset(syms, 0, sizeof(syms));
	syms[1].st_name = 1;
	syms[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
	syms[1].st_shndx = S_INFO; /* any defined section */
	syms[1].st_value = TEXT_VADDR;
	syms[1].st_size = TEXT_SIZE;
	sec[S_SYMTAB] = (const uint8_t *)syms;
	len[S_SYMTAB] = sizeof(syms);
	sec[S_STRTAB] = (const uint8_t *)strtab;
	len[S_STRTAB] = sizeof(strtab);
	sec[S_SHSTRTAB] = (const uint8_t *)shstrtab;
	len[S_SHSTRTAB] = sizeof(shstrtab);
	total = sizeof(Elf64_Ehdr) + 8 + S_NUM * sizeof(Elf64_Shdr);
	for (i = 1; i < S_NUM; i++)
		total += len[i];
	elf = calloc(1, total);
	if (!elf)
		return 0;
	total = build_elf(elf, sec, len, rnglists);
	fuzz__gobin(elf, total);
	free(elf);
	return 0;
}
