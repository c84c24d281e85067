#!/usr/bin/env bash
# Regenerates vmlinux/<arch>/vmlinux.h from the running kernel's BTF.
# The BPF programs only need pt_regs and the basic kernel types, so any
# kernel with BTF produces a usable header; regenerate when moving to a new
# architecture, not for every kernel.
set -euo pipefail
arch=${1:-x86}
here=$(cd "$(dirname "$0")" && pwd)
btf=${BTF:-/sys/kernel/btf/vmlinux}
[ -r "$btf" ] || { echo "gen.sh: $btf not readable: kernel without BTF?" >&2; exit 2; }
mkdir -p "$here/$arch"
bpftool btf dump file "$btf" format c > "$here/$arch/vmlinux.h.tmp"
mv "$here/$arch/vmlinux.h.tmp" "$here/$arch/vmlinux.h"
echo "wrote $here/$arch/vmlinux.h"
