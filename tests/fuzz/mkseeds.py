#!/usr/bin/env python3
"""Seed inputs for the fuzz harnesses of tests/fuzz (Python standard library
only).

USAGE
  mkseeds.py synth OUTDIR             synthetic seeds: small ELF files with
                                      symbols, build info, pclntab and DWARF
                                      in the shapes Go 1.16-1.26 write them,
                                      and seeds for every other harness
  mkseeds.py extract OUTDIR BINARY... seeds cut from real Go binaries: the
                                      file itself, its .go.buildinfo,
                                      .gopclntab, DWARF sections, version,
                                      and the code of the runtime functions
                                      linger probes
  mkseeds.py maps OUTDIR PID BINARY   a /proc/PID/maps seed for procmaps

Each seed goes to OUTDIR/<harness>/<name>; the input formats are those
documented at the top of each tests/fuzz/fuzz_<harness>.c.
"""
import os
import struct
import sys
import zlib

# ---------------------------------------------------------------- helpers


def uvarint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if (v == 0 and not b & 0x40) or (v == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def align(n, a):
    return (n + a - 1) // a * a


def write(outdir, harness, name, data):
    d = os.path.join(outdir, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ------------------------------------------------------------ machine code
# Functions of the synthetic binaries: name -> bytes. Offsets of CALL
# targets are patched once the layout is known.


def code_push_bp_prologue():
    # Go 1.21+: CMPQ SP, 16(R14); JLS morestack; PUSHQ BP; MOVQ SP, BP;
    # ...; POPQ BP; RET
    return bytes.fromhex("493b6610" "7608" "55" "4889e5" "4883ec10" "5d" "c3" "e8000000" "00" "ebe9")


def code_branch_prologue():
    # Go 1.19: CMPQ SP, 16(R14); JLS; SUBQ $24, SP; MOVQ BP, 16(SP);
    # LEAQ 16(SP), BP; ...; RET
    return bytes.fromhex("493b6610" "0f8612000000" "4883ec18" "48896c2410" "488d6c2410" "c3" "90" * 1)


def code_large_frame():
    # LEAQ -8(SP), R12; CMPQ R12, 16(R14); JLS; PUSHQ BP; RET
    return bytes.fromhex("4c8d6424f8" "4d3b6610" "7604" "55" "c3" "cc" "cc")


def code_call(rel_to):
    # PUSHQ BP; MOVQ SP, BP; CALL rel32; POPQ BP; RET (rel32 patched)
    return bytearray(bytes.fromhex("55" "4889e5" "e8") + struct.pack("<i", rel_to) + bytes.fromhex("5d" "c3"))


def code_rets():
    # MOVQ BX, AX; RET; XORL AX, AX; RET
    return bytes.fromhex("4889d8" "c3" "31c0" "c3")


# ----------------------------------------------------------------- pclntab


def pcvalue(pairs, quantum=1):
    """pairs: [(value, length in bytes)] -> a pc-value table."""
    out = bytearray()
    v = -1
    for val, length in pairs:
        d = val - v
        out += uvarint((d << 1) if d >= 0 else ((-d - 1) << 1) | 1)
        out += uvarint(length // quantum)
        v = val
    out.append(0)
    return bytes(out)


def pclntab(funcs, files, layout=120, ptrsize=8, be=False, quantum=1, text=0x401000,
            text_in_header=True, abs_entries=None):
    """funcs: [(name, entry offset from text, size, file index, [(line, len)])].
    Returns the table's bytes. layout 116, 118 or 120."""
    e = ">" if be else "<"
    W = "Q" if ptrsize == 8 else "I"
    magic = {116: 0xFFFFFFFA, 118: 0xFFFFFFF0, 120: 0xFFFFFFF1}[layout]
    nwords = 7 if layout == 116 else 8
    hsize = 8 + nwords * ptrsize
    names = bytearray()
    nameoff = []
    for f in funcs:
        nameoff.append(len(names))
        names += f[0].encode() + b"\0"
    filetab = bytearray()
    fileoff = []
    for fn in files:
        fileoff.append(len(filetab))
        filetab += fn.encode() + b"\0"
    cutab = b"".join(struct.pack(e + "I", o) for o in fileoff)
    pctab = bytearray(b"\0")
    tabs = []
    for name, off, size, fileno, lines in funcs:
        sp = len(pctab)
        pctab += pcvalue([(0, size)], quantum)
        pf = len(pctab)
        pctab += pcvalue([(fileno, size)], quantum)
        pl = len(pctab)
        pctab += pcvalue(lines, quantum)
        tabs.append((sp, pf, pl))
    funcname_off = hsize
    cu_off = funcname_off + len(names)
    filetab_off = cu_off + len(cutab)
    pctab_off = filetab_off + len(filetab)
    functab_off = align(pctab_off + len(pctab), ptrsize)
    nfunc = len(funcs)
    fieldsz = ptrsize if layout == 116 else 4
    F = W if layout == 116 else "I"
    ftab_size = (2 * nfunc + 1) * fieldsz
    recs = bytearray()
    funcoffs = []
    for i, (name, off, size, fileno, lines) in enumerate(funcs):
        funcoffs.append(align(ftab_size, ptrsize) + len(recs))
        entry = (abs_entries or text) + off if layout == 116 else off
        r = struct.pack(e + F, entry)
        r += struct.pack(e + "iiIIIIII", nameoff[i], 0, 0, tabs[i][0], tabs[i][1], tabs[i][2], 0, 0)
        if layout == 120:
            r += struct.pack(e + "i", lines[0][0] if lines else 0)
        r += bytes([0, 0, 0, 0])
        recs += r + bytes(align(len(r), ptrsize) - len(r))
    ftab = bytearray()
    for i, (name, off, size, fileno, lines) in enumerate(funcs):
        entry = (abs_entries or text) + off if layout == 116 else off
        ftab += struct.pack(e + F + F, entry, funcoffs[i])
    last = funcs[-1]
    end = last[1] + align(last[2], 16)
    ftab += struct.pack(e + F, (abs_entries or text) + end if layout == 116 else end)
    ftab += bytes(align(len(ftab), ptrsize) - len(ftab))
    words = [nfunc, len(files)]
    if layout != 116:
        words.append(text if text_in_header else 0)
    words += [funcname_off, cu_off, filetab_off, pctab_off, functab_off]
    hdr = struct.pack(e + "I", magic) + bytes([0, 0, quantum, ptrsize])
    hdr += b"".join(struct.pack(e + W, w) for w in words)
    body = hdr + names + cutab + filetab + pctab
    body += bytes(functab_off - len(body))
    return bytes(body + ftab + recs), dict(funcname=funcname_off, cu=cu_off, filetab=filetab_off,
                                           pctab=pctab_off, functab=functab_off, nfunc=nfunc,
                                           first=funcs[0][1], last=end)


def moduledata(pcln_vaddr, offs, text, ptrsize=8, be=False):
    """runtime.moduledata's first 23 words for a pclntab at pcln_vaddr."""
    e = ">" if be else "<"
    W = "Q" if ptrsize == 8 else "I"
    w = [0] * 23
    w[0] = pcln_vaddr
    w[1] = pcln_vaddr + offs["funcname"]
    w[4] = pcln_vaddr + offs["cu"]
    w[7] = pcln_vaddr + offs["filetab"]
    w[10] = pcln_vaddr + offs["pctab"]
    w[13] = pcln_vaddr + offs["functab"]
    w[16] = pcln_vaddr + offs["functab"]
    w[17] = offs["nfunc"] + 1
    w[18] = w[17]
    w[20] = text + offs["first"]
    w[21] = text + offs["last"]
    w[22] = text
    return b"".join(struct.pack(e + W, x) for x in w)


# ------------------------------------------------------------------- DWARF

DW_TAG_compile_unit, DW_TAG_structure_type, DW_TAG_member, DW_TAG_base_type = 0x11, 0x13, 0x0D, 0x24
DW_AT_name, DW_AT_byte_size, DW_AT_low_pc, DW_AT_high_pc = 0x03, 0x0B, 0x11, 0x12
DW_AT_stmt_list, DW_AT_language, DW_AT_data_member_location, DW_AT_declaration = 0x10, 0x13, 0x38, 0x3C
DW_AT_ranges, DW_AT_call_file, DW_AT_call_line = 0x55, 0x58, 0x59
DW_TAG_subprogram, DW_TAG_inlined_subroutine = 0x2E, 0x1D
DW_FORM_addr, DW_FORM_data1, DW_FORM_data8, DW_FORM_string = 0x01, 0x0B, 0x07, 0x08
DW_FORM_udata, DW_FORM_sec_offset, DW_FORM_flag_present = 0x0F, 0x17, 0x19
DW_FORM_strp, DW_FORM_exprloc = 0x0E, 0x18

RUNTIME_STRUCTS = {
    "runtime.g": [("stack", 0), ("stackguard0", 16), ("m", 48), ("sched", 56), ("atomicstatus", 144),
                  ("goid", 152), ("waitsince", 160), ("waitreason", 168), ("gopc", 280),
                  ("startpc", 304), ("parentGoid", 272)],
    "runtime.gobuf": [("sp", 0), ("pc", 8), ("g", 16), ("ctxt", 24), ("ret", 32), ("lr", 40), ("bp", 48)],
    "runtime.m": [("g0", 0), ("curg", 192)],
}


def abbrevs(v5=False, ranges=False):
    a = bytearray()

    def ab(code, tag, children, attrs):
        nonlocal a
        a += uvarint(code) + uvarint(tag) + bytes([1 if children else 0])
        for at, form in attrs:
            a += uvarint(at) + uvarint(form)
        a += b"\0\0"

    if ranges:
        ab(1, DW_TAG_compile_unit, True, [(DW_AT_name, DW_FORM_string), (DW_AT_ranges, DW_FORM_sec_offset),
                                         (DW_AT_stmt_list, DW_FORM_sec_offset), (DW_AT_language, DW_FORM_data1)])
    else:
        ab(1, DW_TAG_compile_unit, True, [(DW_AT_name, DW_FORM_string), (DW_AT_low_pc, DW_FORM_addr),
                                         (DW_AT_high_pc, DW_FORM_data8), (DW_AT_stmt_list, DW_FORM_sec_offset),
                                         (DW_AT_language, DW_FORM_data1)])
    ab(2, DW_TAG_structure_type, True, [(DW_AT_name, DW_FORM_string), (DW_AT_byte_size, DW_FORM_udata)])
    ab(3, DW_TAG_member, False, [(DW_AT_name, DW_FORM_string), (DW_AT_data_member_location, DW_FORM_udata)])
    ab(4, DW_TAG_member, False, [(DW_AT_name, DW_FORM_string), (DW_AT_data_member_location, DW_FORM_exprloc)])
    ab(5, DW_TAG_structure_type, False, [(DW_AT_name, DW_FORM_string), (DW_AT_declaration, DW_FORM_flag_present)])
    ab(6, DW_TAG_base_type, False, [(DW_AT_name, DW_FORM_strp), (DW_AT_byte_size, DW_FORM_data1)])
    ab(7, DW_TAG_subprogram, True, [(DW_AT_name, DW_FORM_string), (DW_AT_low_pc, DW_FORM_addr),
                                    (DW_AT_high_pc, DW_FORM_data8)])
    ab(8, DW_TAG_inlined_subroutine, False, [(DW_AT_low_pc, DW_FORM_addr), (DW_AT_high_pc, DW_FORM_data8),
                                             (DW_AT_call_file, DW_FORM_data1), (DW_AT_call_line, DW_FORM_udata)])
    a.append(0)
    return bytes(a)


def debug_info(low, high, v5=False, expr_members=False, ranges=False, missing=None, inl=None):
    """One unit holding the runtime structs; high is the end address. inl:
    (lo, hi) of a function, main.main, with code inlined into it."""
    d = bytearray()
    d += uvarint(1) + b"runtime\0"
    if ranges:
        d += struct.pack("<I", 0)
    else:
        d += struct.pack("<QQ", low, high - low)
    d += struct.pack("<I", 0) + bytes([0x16])
    d += uvarint(5) + b"runtime.g\0"  # a declaration first: skipped
    d += uvarint(6) + struct.pack("<I", 1) + bytes([8])
    for sname, members in RUNTIME_STRUCTS.items():
        d += uvarint(2) + sname.encode() + b"\0" + uvarint(400)
        for mname, off in members:
            if missing == (sname, mname):
                continue
            if expr_members:
                expr = bytes([0x23]) + uvarint(off)  # DW_OP_plus_uconst
                d += uvarint(4) + mname.encode() + b"\0" + uvarint(len(expr)) + expr
            else:
                d += uvarint(3) + mname.encode() + b"\0" + uvarint(off)
        d.append(0)
    if inl:
        lo, hi = inl
        d += uvarint(7) + b"main.main\0" + struct.pack("<QQ", lo, hi - lo)
        d += uvarint(8) + struct.pack("<QQ", lo + 2, max(1, (hi - lo) // 2)) + bytes([1]) + uvarint(267)
        d.append(0)
    d.append(0)
    if v5:
        hdr = struct.pack("<HBBI", 5, 1, 8, 0)
    else:
        hdr = struct.pack("<HIB", 4, 0, 8)
    return struct.pack("<I", len(hdr) + len(d)) + hdr + bytes(d)


def debug_str():
    return b"\0uintptr\0"


def debug_line(low, rows, end):
    """A DWARF 4 line program for main.go: rows [(addr, line)]."""
    hdr_rest = bytes([1, 1, 1, 0xFB, 14, 13]) + bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1])
    hdr_rest += b"\0"  # no include directories
    hdr_rest += b"main.go\0" + bytes([0, 0, 0]) + b"runtime/proc.go\0" + bytes([0, 0, 0]) + b"\0"
    prog = bytearray()
    prog += bytes([0, 9, 2]) + struct.pack("<Q", low)
    line, addr = 1, low
    for a, l in rows:
        if a != addr:
            prog += bytes([2]) + uvarint(a - addr)
            addr = a
        if l != line:
            prog += bytes([3]) + sleb(l - line)
            line = l
        prog += bytes([1])
    prog += bytes([2]) + uvarint(end - addr) + bytes([0, 1, 1])
    body = struct.pack("<H", 4) + struct.pack("<I", len(hdr_rest)) + hdr_rest + bytes(prog)
    return struct.pack("<I", len(body)) + body


def debug_ranges(low, high):
    return struct.pack("<QQQQ", low, high, 0, 0)


# -------------------------------------------------------------------- ELF

ET_EXEC, ET_DYN = 2, 3
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS, SHT_NOTE = 1, 2, 3, 8, 7
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_COMPRESSED = 1, 2, 4, 0x800
PF_X, PF_W, PF_R = 1, 2, 4
STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 1, 2, 3, 4
BASE = 0x400000


class Section:
    def __init__(self, name, data, type=SHT_PROGBITS, flags=0, alloc=None, align=16, link=0, info=0,
                 entsize=0, segment=None):
        self.name, self.data, self.type, self.flags = name, bytes(data), type, flags
        self.alloc = alloc  # None, or one of "x", "r", "w": which PT_LOAD
        self.align, self.link, self.info, self.entsize = align, link, info, entsize
        self.offset = self.addr = 0


def layout(sections, cls=64, seg_align=0x1000):
    """Assigns offsets and addresses (address = BASE + offset for loaded
    sections), loaded ones first, grouped by segment, each segment aligned
    to seg_align: a page as linkers do, or less for small seeds (nothing
    in linger needs more)."""
    ehsize = 64 if cls == 64 else 52
    phsize = 56 if cls == 64 else 32
    at = ehsize + 3 * phsize
    for seg in ("x", "r", "w"):
        first = True
        for s in sections:
            if s.alloc != seg:
                continue
            if first:
                at = align(at, seg_align)
                first = False
            at = align(at, s.align)
            s.offset, s.addr = at, BASE + at
            at += len(s.data)
    for s in sections:
        if s.alloc is None:
            at = align(at, s.align)
            s.offset = at
            at += len(s.data)
    return at


def elf(sections, etype=ET_EXEC, cls=64, be=False, machine=62, shdrs=True, entry=0, seg_align=0x1000):
    """Builds the file. sections must have been laid out (layout())."""
    e = ">" if be else "<"
    end = max([s.offset + len(s.data) for s in sections] + [0])
    shstr = bytearray(b"\0")
    names = {}
    for s in sections:
        names[s.name] = len(shstr)
        shstr += s.name.encode() + b"\0"
    shstr += b".shstrtab\0"
    shstr_off = align(end, 1)
    shoff = align(shstr_off + len(shstr), 8)
    nsec = len(sections) + 2
    ehsize, phsize = (64, 56) if cls == 64 else (52, 32)
    shsize = 64 if cls == 64 else 40
    buf = bytearray(shoff + (nsec * shsize if shdrs else 0))
    for s in sections:
        buf[s.offset:s.offset + len(s.data)] = s.data
    buf[shstr_off:shstr_off + len(shstr)] = shstr
    phdrs = []
    for seg, flags in (("x", PF_R | PF_X), ("r", PF_R), ("w", PF_R | PF_W)):
        ss = [s for s in sections if s.alloc == seg]
        if not ss:
            continue
        lo = min(s.offset for s in ss) & ~(seg_align - 1)
        hi = max(s.offset + len(s.data) for s in ss)
        phdrs.append((1, flags, lo, BASE + lo, hi - lo, hi - lo))
    ident = b"\x7fELF" + bytes([2 if cls == 64 else 1, 2 if be else 1, 1]) + bytes(9)
    if cls == 64:
        eh = ident + struct.pack(e + "HHIQQQIHHHHHH", etype, machine, 1, entry, ehsize, shoff if shdrs else 0,
                                 0, ehsize, phsize, len(phdrs), shsize, nsec if shdrs else 0,
                                 nsec - 1 if shdrs else 0)
    else:
        eh = ident + struct.pack(e + "HHIIIIIHHHHHH", etype, machine, 1, entry, ehsize, shoff if shdrs else 0,
                                 0, ehsize, phsize, len(phdrs), shsize, nsec if shdrs else 0,
                                 nsec - 1 if shdrs else 0)
    buf[0:len(eh)] = eh
    for i, (t, f, off, va, fs, ms) in enumerate(phdrs):
        if cls == 64:
            ph = struct.pack(e + "IIQQQQQQ", t, f, off, va, va, fs, ms, 0x1000)
        else:
            ph = struct.pack(e + "IIIIIIII", t, off, va, va, fs, ms, f, 0x1000)
        buf[ehsize + i * phsize:ehsize + (i + 1) * phsize] = ph
    if shdrs:
        hdrs = [(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
        for s in sections:
            fl = s.flags | (SHF_ALLOC if s.alloc else 0)
            hdrs.append((names[s.name], s.type, fl, s.addr if s.alloc else 0, s.offset, len(s.data),
                         s.link, s.info, s.align, s.entsize))
        shstr_name = len(shstr) - len(b".shstrtab\0")
        hdrs.append((shstr_name, SHT_STRTAB, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0))
        for i, h in enumerate(hdrs):
            if cls == 64:
                sh = struct.pack(e + "IIQQQQIIQQ", *h)
            else:
                sh = struct.pack(e + "IIIIIIIIII", *h)
            buf[shoff + i * shsize:shoff + (i + 1) * shsize] = sh
    return bytes(buf)


def symtab(syms, cls=64, be=False):
    """syms: [(name, value, size, type, shndx)] -> (.symtab, .strtab)."""
    e = ">" if be else "<"
    strs = bytearray(b"\0")
    out = bytearray(bytes(24 if cls == 64 else 16))
    for name, value, size, typ, shndx in syms:
        no = len(strs) if name else 0
        if name:
            strs += name.encode() + b"\0"
        info = (1 << 4) | typ
        if cls == 64:
            out += struct.pack(e + "IBBHQQ", no, info, 0, shndx, value, size)
        else:
            out += struct.pack(e + "IIIBBH", no, value, size, info, 0, shndx)
    return bytes(out), bytes(strs)


def buildinfo_inline(version, ptrsize=8):
    b = b"\xff Go buildinf:" + bytes([ptrsize, 2]) + bytes(16)
    return b + uvarint(len(version)) + version.encode() + uvarint(0)


def compress_chdr(data, cls=64):
    if cls == 64:
        hdr = struct.pack("<IIQQ", 1, 0, len(data), 1)
    else:
        hdr = struct.pack("<III", 1, len(data), 1)
    return hdr + zlib.compress(data)


def compress_gnu(data):
    return b"ZLIB" + struct.pack(">Q", len(data)) + zlib.compress(data)


# --------------------------------------------------------- synthetic ELFs

FUNCS = [  # name, code, file index, first line
    ("runtime.text", b"", 1, 1),
    ("runtime.gopark", code_push_bp_prologue(), 1, 380),
    ("runtime.goexit1", code_branch_prologue(), 1, 4130),
    ("runtime.runqput", code_rets(), 1, 6200),
    ("runtime.newproc.func1", None, 1, 4480),  # calls runqput
    ("runtime.newproc1", code_rets(), 1, 4500),
    ("main.main", code_large_frame(), 0, 10),
    ("main.asm", code_rets(), 2, 5),  # an ABI0/ABIInternal pair
    ("main.asm", code_rets(), 3, 1),
    ("main.G[...]", code_rets(), 0, 20),
    ("main.dot\u00b7x", code_rets(), 0, 30),
]
FILES = ["main.go", "runtime/proc.go", "asm_amd64.s", "<autogenerated>"]


def text_section():
    """Lays the functions out 16-aligned; returns (bytes, [(name, off, size, file, line)])."""
    text = bytearray()
    placed = []
    runqput = None
    for name, code, fileno, line in FUNCS:
        text += bytes(align(len(text), 16) - len(text))
        off = len(text)
        if name == "runtime.runqput":
            runqput = off
        if code is None:
            code = code_call(0)
            code[5:9] = struct.pack("<i", runqput - (off + 9))
        text += code
        placed.append((name, off, len(code), fileno, line))
    text += bytes(align(len(text), 16) - len(text))
    return bytes(text), placed


def go_binary(version="go1.21.0", layout_=120, etype=ET_EXEC, strip=False, dwarf=True, compress=None,
              shdrs=True, buildinfo="inline", dwarf5=False, expr_members=False, ranges=False,
              pcln_text_in_header=True, cls=64, be=False, machine=62, missing=None, data_size=512,
              symtab_bad=None, pcln_bad=None, seg_align=0x40):
    """A small Go-shaped executable. compress: None, "chdr" or "gnu";
    buildinfo: "inline", "pointer" or None (version from runtime.buildVersion);
    symtab_bad: None, "nonul" (.strtab unterminated), "name" (a name past
    .strtab), "link" (.symtab linked to no section); pcln_bad: None,
    "outside" (.gopclntab past the end of the file), "unsorted" (function
    table out of order)."""
    ptrsize = 8 if cls == 64 else 4
    text, placed = text_section()
    sections = [Section(".text", text, flags=SHF_EXECINSTR, alloc="x", align=32)]
    pfuncs = []
    for name, off, size, fileno, line in placed:
        if not size:
            continue
        pfuncs.append((name, off, size, fileno, [(line, max(1, size // 2)), (line + 1, size - max(1, size // 2))]
                       if size > 1 else [(line, size)]))
    pc_placeholder = Section(".gopclntab", b"", alloc="r", align=32)
    sections.append(pc_placeholder)
    data = Section(".noptrdata", bytes(data_size), flags=SHF_WRITE, alloc="w", align=32)
    bi = Section(".go.buildinfo", b"", flags=SHF_WRITE, alloc="w", align=16)
    sections += [bi, data] if buildinfo else [data]
    if pcln_bad == "unsorted":
        pfuncs = pfuncs[::-1]
    # Two passes: the pclntab's size does not depend on addresses, so lay out
    # once with a stand-in of the right size, then fill in.
    pcln, offs = pclntab(pfuncs, FILES, layout=layout_, ptrsize=ptrsize, be=be, text=BASE + 0x1000,
                         text_in_header=pcln_text_in_header)
    pc_placeholder.data = pcln
    bi.data = buildinfo_inline(version, ptrsize) if buildinfo == "inline" else bytes(32)
    syms = []
    layout(sections, cls, seg_align)
    text_addr = sections[0].addr
    pcln, offs = pclntab(pfuncs, FILES, layout=layout_, ptrsize=ptrsize, be=be, text=text_addr,
                         text_in_header=pcln_text_in_header, abs_entries=text_addr)
    pc_placeholder.data = pcln
    ver_addr = data.addr + 64
    if buildinfo == "pointer":
        # versPtr -> string header {data, len} in .noptrdata -> the bytes
        e = ">" if be else "<"
        W = "Q" if ptrsize == 8 else "I"
        bi.data = (b"\xff Go buildinf:" + bytes([ptrsize, 1 if be else 0]) + struct.pack(e + W + W, data.addr, 0)
                   + bytes(32 - 16 - 2 * ptrsize))
    d = bytearray(data.data)
    e = ">" if be else "<"
    W = "Q" if ptrsize == 8 else "I"
    d[0:2 * ptrsize] = struct.pack(e + W + W, ver_addr, len(version))
    d[64:64 + len(version)] = version.encode()
    if not pcln_text_in_header:
        md = moduledata(pc_placeholder.addr, offs, text_addr, ptrsize, be)
        d[128:128 + len(md)] = md
    data.data = bytes(d)
    if not strip:
        fidx = 1  # .text's section index
        for name, off, size, fileno, line in placed:
            typ = STT_FUNC
            nm = name.replace("\u00b7", ".")
            if nm == "main.asm" and fileno == 2:
                nm = "main.asm.abi0"
            if nm == "main.G[...]":
                nm = "main.G[go.shape.int]"
            syms.append((nm, text_addr + off, size, typ, fidx))
        syms.append(("runtime.buildVersion", data.addr, 2 * ptrsize, STT_OBJECT, 4))
        syms.append(("runtime.allgs", data.addr + 32, 3 * ptrsize, STT_OBJECT, 4))
        syms.append(("", 0, 0, STT_SECTION, 1))
        syms.append(("proc.go", 0, 0, STT_FILE, 0xFFF1))
        syms.append(("runtime.undefined", 0, 0, STT_FUNC, 0))
        if symtab_bad == "name":
            syms.append(("runtime.renamed", text_addr, 1, STT_FUNC, 1))
        st, ss = symtab(syms, cls, be)
        if symtab_bad == "nonul":
            ss += b"x"
        elif symtab_bad == "name":
            st = bytearray(st)
            st[-24:-20] = struct.pack("<I", len(ss) + 100)
            st = bytes(st)
        link = 999 if symtab_bad == "link" else len(sections) + 2
        sections.append(Section(".symtab", st, type=SHT_SYMTAB, align=8, link=link, info=1,
                                entsize=24 if cls == 64 else 16))
        sections.append(Section(".strtab", ss, type=SHT_STRTAB, align=1))
    if dwarf and not strip:
        high = text_addr + len(text)
        rows = [(text_addr + off, line) for name, off, size, fileno, line in placed if size]
        parts = [("abbrev", abbrevs(dwarf5, ranges)),
                 ("info", debug_info(text_addr, high, dwarf5, expr_members, ranges, missing,
                                     [(text_addr + o, text_addr + o + z) for n, o, z, f, l in placed
                                      if n == "main.main"][0])),
                 ("str", debug_str()),
                 ("line", debug_line(text_addr, rows, high))]
        if ranges:
            parts.append(("ranges", debug_ranges(text_addr, high)))
        for name, blob in parts:
            flags = 0
            sname = ".debug_" + name
            if compress == "chdr":
                blob, flags = compress_chdr(blob, cls), SHF_COMPRESSED
            elif compress == "gnu":
                blob, sname = compress_gnu(blob), ".zdebug_" + name
            sections.append(Section(sname, blob, flags=flags, align=1))
    layout(sections, cls, seg_align)
    out = bytearray(elf(sections, etype=etype, cls=cls, be=be, machine=machine, shdrs=shdrs, entry=text_addr,
                        seg_align=seg_align))
    if pcln_bad == "outside":
        (shoff,) = struct.unpack_from("<Q", out, 0x28)
        struct.pack_into("<Q", out, shoff + 2 * 64 + 24, len(out) + 4096)
    return bytes(out)


def synth_gobin(out):
    v = {
        "go121-exec": dict(seg_align=0x1000),
        "go121-pie": dict(etype=ET_DYN, seg_align=0x1000),
        "go121-small": dict(),
        "go119-branch": dict(version="go1.19.8", layout_=118),
        "go116-layout": dict(version="go1.16.15", layout_=116, buildinfo="pointer"),
        "go117-pointer-buildinfo": dict(version="go1.17.13", layout_=116, buildinfo="pointer"),
        "go126-moduledata": dict(version="go1.26.0 X:greenteagc", pcln_text_in_header=False),
        "go126-stripped-moduledata": dict(version="go1.26.0", pcln_text_in_header=False, strip=True),
        "stripped": dict(strip=True),
        "no-dwarf": dict(dwarf=False),
        "no-shdrs": dict(shdrs=False, strip=True),
        "dwarf-chdr": dict(compress="chdr"),
        "dwarf-gnu": dict(version="go1.17.13", compress="gnu"),
        "dwarf5": dict(dwarf5=True),
        "dwarf-expr": dict(expr_members=True),
        "dwarf-ranges": dict(ranges=True),
        "dwarf-missing-member": dict(missing=("runtime.m", "curg")),
        "elf32": dict(cls=32, machine=3),
        "big-endian": dict(be=True, machine=43),
        "no-buildinfo": dict(buildinfo=None),
        "no-buildinfo-big-data": dict(buildinfo=None, data_size=70000, strip=True),
        "strtab-unterminated": dict(symtab_bad="nonul"),
        "symbol-name-outside": dict(symtab_bad="name"),
        "symtab-bad-link": dict(symtab_bad="link"),
        "pclntab-outside": dict(pcln_bad="outside", strip=True),
        "pclntab-unsorted": dict(pcln_bad="unsorted", strip=True),
    }
    for name, kw in v.items():
        write(out, "gobin", name, go_binary(**kw))
    write(out, "gobin", "not-elf", b"#!/bin/sh\necho not an ELF file\n")


def synth_dwarf(out):
    """Seeds for fuzz_dwarf: flags, four lengths, sections, info."""
    low, high = 0x401000, 0x402000
    rows = [(0x401000, 10), (0x401010, 11), (0x401800, 40)]
    for name, v5, expr, rng in (("v4", False, False, False), ("v5", True, False, False),
                                ("expr", False, True, False), ("ranges", False, False, True)):
        ab = abbrevs(v5, rng)
        st = debug_str()
        ln = debug_line(low, rows, high)
        rg = debug_ranges(low, high) if rng else b""
        info = debug_info(low, high, v5, expr, rng, inl=(0x401000, 0x401040))
        blob = bytes([0]) + struct.pack("<IIII", len(ab), len(st), len(ln), len(rg)) + ab + st + ln + rg + info
        write(out, "dwarf", name, blob)


def synth_pclntab(out):
    text, placed = text_section()
    pfuncs = [(n, o, s, f, [(l, max(1, s // 2)), (l + 1, s - max(1, s // 2))]) for n, o, s, f, l in placed if s > 1]
    for name, kw in {
        "go120": dict(),
        "go118": dict(layout=118),
        "go116": dict(layout=116),
        "go116-32": dict(layout=116, ptrsize=4),
        "go120-be": dict(be=True),
        "go120-arm64": dict(quantum=4),
        "go118-32-be": dict(layout=118, ptrsize=4, be=True),
        "go126": dict(text_in_header=False),
    }.items():
        if kw.get("quantum") == 4:
            fs = [(n, o * 4, s * 4, f, [(l, v * 4) for l, v in ls]) for n, o, s, f, ls in pfuncs]
        else:
            fs = pfuncs
        tab, offs = pclntab(fs, FILES, **kw)
        write(out, "pclntab", name, tab)
        if name == "go126":
            # With a moduledata after the table, for the harness's search at
            # address 0.
            write(out, "pclntab", "go126-moduledata", tab + moduledata(0, offs, 0x401000))
            # Inside other bytes, for pclntab__find.
            write(out, "pclntab", "go126-embedded", bytes(range(64)) + tab)


def synth_buildinfo(out):
    write(out, "buildinfo", "inline", buildinfo_inline("go1.21.0"))
    write(out, "buildinfo", "inline-at-32", bytes(32) + buildinfo_inline("go1.22.12"))
    # Pointer form, addresses are input offsets: header, string header at
    # 32, bytes at 48.
    v = b"go1.17.13"
    p = b"\xff Go buildinf:" + bytes([8, 0]) + struct.pack("<QQ", 32, 0)
    p += struct.pack("<QQ", 48, len(v)) + v
    write(out, "buildinfo", "pointer-le64", p)
    p = b"\xff Go buildinf:" + bytes([4, 1]) + struct.pack(">II", 32, 0) + bytes(8)
    p += struct.pack(">II", 40, len(v)) + v
    write(out, "buildinfo", "pointer-be32", p)


def synth_text(out):
    for i, s in enumerate(["go1.19.8", "go1.21rc2", "go1.26.0 X:greenteagc", "devel go1.27-abcdef Tue Jan 1 10:00:00 2030",
                           "go1", "go1.22.0-bigcorp", "go1.20+boring", "go1.21beta1", "go1.9999.9999"]):
        write(out, "goversion", "v%d" % i, s.encode())
    for i, s in enumerate(["15s", "500ms", "2m", "1h30m", "250us", "10", "1\u00b5s", "100ns",
                           "18446744073s", "1h1m1s1ms1us1ns"]):
        write(out, "duration", "d%d" % i, s.encode())
    pre = struct.pack("<QQ", 1234567, 0x400000)
    maps = (b"00400000-0049a000 r-xp 00000000 fd:01 1234567 /usr/local/bin/gotiny\n"
            b"0049a000-00539000 r--p 0009a000 fd:01 1234567 /usr/local/bin/gotiny\n"
            b"c000000000-c000400000 rw-p 00000000 00:00 0 \n"
            b"7ffd1c3e1000-7ffd1c402000 rw-p 00000000 00:00 0                          [stack]\n")
    write(out, "procmaps", "exec", pre + maps)
    pre = struct.pack("<QQ", 99, 0)
    maps = (b"55d0c0000000-55d0c0001000 r--p 00000000 08:02 99 /app/server (deleted)\n"
            b"55d0c0001000-55d0c009a000 r-xp 00001000 08:02 99 /app/server (deleted)\n")
    write(out, "procmaps", "pie", pre + maps)


def synth_probesite(out):
    for name, code, target in (
        ("push-bp", code_push_bp_prologue(), 0),
        ("branch", code_branch_prologue(), 0),
        ("large-frame", code_large_frame(), 0),
        ("call", bytes(code_call(0x100)), 9 + 0x100),
        ("rets", code_rets(), 0),
        ("int3-pad", b"\xcc" * 8 + code_rets(), 0),
    ):
        write(out, "probesite", name, struct.pack("<iB", target, 8) + code)


def synth_gtable(out):
    TGID = 4242

    def hdr(max_g=0x20, max_s=8, opts=b"\x05\x03\x0a\x4d\x01\x08\x04"):
        return bytes([max_g, max_s]) + opts

    def spawn(goid, stack, gopc, dt=1):
        return bytes([0xC0, goid, dt, stack & 0xFF, gopc])

    def park(goid, wr=7, dt=1):
        return bytes([0xC1, goid, dt, wr])

    def exit_(goid, dt=1):
        return bytes([0xC2, goid, dt])

    def report(ms=1000, probe=b""):
        return bytes([0x80]) + struct.pack("<H", ms) + probe

    # A healthy site with exits, a leaking one whose goroutines park.
    s = bytearray(hdr())
    for i in range(1, 9):
        s += spawn(i, 1, 0x10)
    for i in range(1, 9):
        s += exit_(i, dt=20)
    for i in range(20, 26):
        s += spawn(i, 2, 0x20) + park(i)
    for i in range(30, 37):
        s += spawn(i, 2, 0x20, dt=5) + exit_(i, dt=5)
    for _ in range(4):
        s += report(1000, b"\x01\x00\x02\x03\x04\x01\x01")
    write(out, "gtable", "leak", bytes(s))
    # Growth: spawns and no exits over many reports, gopc-keyed sites.
    s = bytearray(hdr(0x3F, 4))
    g = 1
    for _ in range(12):
        for _ in range(3):
            s += spawn(g, 0xFF, 0x30)
            g += 1
        s += report(1000)
    write(out, "gtable", "growing", bytes(s))
    # Raw records: exact layouts, then a short one, a long one, another tgid.
    s = bytearray(hdr())
    sp = struct.pack("<IIQQQQQQiI", 1, TGID, 1000, 7, 1, 0xC000001000, 0x401234, 0x402000, 3, 0)
    pk = struct.pack("<IIQQQII", 2, TGID, 2000, 7, 0xC000001000, 9, 0)
    ex = struct.pack("<IIQQ", 3, TGID, 3000, 7)
    s += bytes([len(sp)]) + sp + bytes([len(pk)]) + pk + bytes([len(ex)]) + ex
    s += bytes([len(ex) - 1]) + ex[:-1] + bytes([len(ex) + 1]) + ex + b"\0"
    s += bytes([len(ex)]) + struct.pack("<IIQQ", 3, TGID + 1, 3000, 7)
    s += report(10)
    write(out, "gtable", "raw", bytes(s))
    # Seeds: goroutines from before attach, then spawns at their gopc.
    s = bytearray(hdr())
    for i in range(1, 4):
        s += bytes([0xA0]) + struct.pack("<QQQQHBB", 100 + i, 0xC000010000 + i, 0x401000 + 0x30, 0x402000, 50, 7, 1)
    s += spawn(5, 4, 0x30) + spawn(6, 0xFE, 0x30) + report(500, b"\x01\x02") + exit_(5) + report(500)
    write(out, "gtable", "seeded", bytes(s))
    # Limits: more goroutines and sites than the table holds, a big table.
    s = bytearray(hdr(0x02, 0x01))
    for i in range(1, 12):
        s += spawn(i, i, i)
    s += report(1)
    write(out, "gtable", "limits", bytes(s))
    s = bytearray(hdr(0x80, 0x0F))
    for i in range(1, 256):
        s += spawn(i, i % 7, i % 5)
    for i in range(1, 256, 3):
        s += exit_(i)
    s += report(100)
    write(out, "gtable", "big", bytes(s))
    # Both tables past their first size: 1020 goroutines over 100 sites.
    s = bytearray(hdr(0x80, 0x80))
    s += bytes([0xB0, 255]) + struct.pack("<H", 0) + bytes([99])
    s += report(100)
    s += bytes([0xB8, 200]) + struct.pack("<H", 0) + bytes([99])
    s += bytes([0xBC, 100]) + struct.pack("<H", 0) + bytes([99])
    s += report(100) + report(1000)
    write(out, "gtable", "grow", bytes(s))


# ------------------------------------------------------- real binaries


class Elf:
    """Just enough of an ELF64 little-endian reader for extraction."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise ValueError("not an ELF64 LE file")
        (self.shoff,) = struct.unpack_from("<Q", d, 0x28)
        self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        self.sections = {}
        hdrs = [struct.unpack_from("<IIQQQQIIQQ", d, self.shoff + i * 64) for i in range(self.shnum)]
        if not hdrs:
            return
        stro = hdrs[self.shstrndx][4]
        for h in hdrs:
            name = d[stro + h[0]:d.index(b"\0", stro + h[0])].decode()
            self.sections[name] = h

    def section(self, name):
        h = self.sections.get(name)
        if not h or h[1] == SHT_NOBITS:
            return None
        raw = self.data[h[4]:h[4] + h[5]]
        if h[2] & SHF_COMPRESSED:
            raw = zlib.decompress(raw[24:])
        elif raw[:4] == b"ZLIB":
            raw = zlib.decompress(raw[12:])
        return raw

    def debug(self, name):
        return self.section(".debug_" + name) or self.section(".zdebug_" + name)

    def symbols(self):
        h = self.sections.get(".symtab")
        if not h:
            return {}
        strs = self.sections[".strtab"]
        out = {}
        for i in range(h[5] // 24):
            no, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", self.data, h[4] + i * 24)
            s = strs[4] + no
            out[self.data[s:self.data.index(b"\0", s)].decode(errors="replace")] = (value, size)
        return out

    def read(self, vaddr, size):
        for h in self.sections.values():
            if h[1] == SHT_PROGBITS and h[3] <= vaddr < h[3] + h[5]:
                off = h[4] + vaddr - h[3]
                return self.data[off:off + size]
        return None


def extract(out, paths):
    for path in paths:
        tag = os.path.basename(path)
        write(out, "gobin", tag, open(path, "rb").read())
        e = Elf(path)
        bi = e.section(".go.buildinfo")
        if bi:
            write(out, "buildinfo", tag, bi)
            n = bi[32]
            write(out, "goversion", tag, bi[33:33 + n])
        pc = e.section(".gopclntab")
        if pc:
            write(out, "pclntab", tag, pc)
        parts = [e.debug(n) or b"" for n in ("abbrev", "str", "line", "ranges", "info")]
        if parts[0] and parts[4]:
            blob = bytes([0]) + struct.pack("<IIII", *map(len, parts[:4])) + b"".join(parts)
            write(out, "dwarf", tag, blob)
        syms = e.symbols()
        runqput = syms.get("runtime.runqput", (0, 0))[0]
        for fn in ("runtime.gopark", "runtime.goexit1", "runtime.newproc1", "runtime.newproc.func1"):
            if fn not in syms:
                continue
            va, size = syms[fn]
            code = e.read(va, size)
            if code:
                target = runqput - va if fn == "runtime.newproc.func1" else 0
                write(out, "probesite", "%s-%s" % (tag, fn.split(".", 1)[1]),
                      struct.pack("<iB", target, 16) + code)


def maps(out, pid, binary):
    st = os.stat(binary)
    d = open(binary, "rb").read(64)
    (phoff,) = struct.unpack_from("<Q", d, 0x20)
    full = open(binary, "rb").read(phoff + 56 * 32)
    (phnum,) = struct.unpack_from("<H", full, 0x38)
    base = 0
    for i in range(phnum):
        t, f, off, va = struct.unpack_from("<IIQQ", full, phoff + i * 56)
        if t == 1 and f & PF_X:
            base = va - off
            break
    text = open("/proc/%s/maps" % pid, "rb").read()
    # Where this checkout lives is no business of a committed corpus: the
    # binary's directory becomes a fixed one (the parser keys on inodes).
    text = text.replace(os.path.dirname(os.path.abspath(binary)).encode(), b"/srv/bin")
    write(out, "procmaps", os.path.basename(binary), struct.pack("<QQ", st.st_ino, base) + text)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "synth":
        out = sys.argv[2]
        synth_gobin(out)
        synth_dwarf(out)
        synth_pclntab(out)
        synth_buildinfo(out)
        synth_text(out)
        synth_probesite(out)
        synth_gtable(out)
    elif len(sys.argv) >= 4 and sys.argv[1] == "extract":
        extract(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == "maps":
        maps(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
