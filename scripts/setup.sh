#!/usr/bin/env bash
# Installs what building and testing linger needs, from Debian's packages.
# Safe to run again: apt-get skips what is installed.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: run as root (it installs Debian packages)" >&2
	exit 2
fi
packages=(
	libbpf-dev bpftool clang llvm libelf-dev libdw-dev libcapstone-dev
	libcmocka-dev pkg-config cmake make gcc binutils golang-go python3 tmux
	libclang-rt-14-dev libmicrohttpd-dev prometheus libcap2-bin
	systemd python3-yaml bpftrace etcd-server wrk
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all packages present"
