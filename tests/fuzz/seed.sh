#!/usr/bin/env bash
# Generates the fuzz seeds that are too big to commit, at fuzz time:
# tests/targets/gotiny built with every Go toolchain scripts/go-toolchains.sh
# has cached (or the go on PATH when there is none), plain, stripped
# (-ldflags='-s -w') and PIE, and what tests/fuzz/mkseeds.py cuts from those
# binaries for each harness (.go.buildinfo, .gopclntab, DWARF, function
# code, /proc/PID/maps), plus mkseeds.py's synthetic seeds.
#
# USAGE
#   tests/fuzz/seed.sh [OUTDIR]     default: build-fuzz/seeds
#
# OUTDIR/<harness>/ then holds the seeds of each harness; OUTDIR/bin/ the
# binaries, rebuilt only when gotiny's sources are newer. No network, no
# root. scripts/fuzz.sh runs this before fuzzing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$repo/build-fuzz/seeds}
case $out in /*) ;; *) out=$PWD/$out ;; esac
gotiny=$repo/tests/targets/gotiny
mkseeds=$repo/tests/fuzz/mkseeds.py
gocache=${LINGER_GO_CACHE:-$repo/.cache/go}

log() { echo "seed: $*" >&2; }

# The toolchains, "go1.NN GOROOT" per line.
toolchains() {
	local list=
	if [ -x "$repo/scripts/go-toolchains.sh" ]; then
		list=$("$repo/scripts/go-toolchains.sh" --list 2>/dev/null || true)
	fi
	if [ -z "$list" ] && command -v go >/dev/null; then
		list="$(go env GOVERSION | grep -o '^go1\.[0-9]*') $(go env GOROOT)"
	fi
	echo "$list"
}

# build GOROOT OUT FLAGS...: builds gotiny unless OUT is newer than its sources.
# -trimpath: seeds end up in the committed corpora, and the file names in a
# binary's tables would otherwise carry where this checkout happens to be.
build() {
	local root=$1 bin=$2
	shift 2
	if [ -f "$bin" ] && [ -z "$(find "$gotiny" -newer "$bin" -name '*.go' -print -quit)" ]; then
		return 0
	fi
	mkdir -p "$gocache/gocache" "$gocache/gopath"
	(cd "$gotiny" && env -u GOROOT_FINAL -u GOBIN -u GOEXPERIMENT GOROOT="$root" \
		PATH="$root/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-mod=mod GOENV=off GOPROXY=off \
		GOSUMDB=off GOWORK=off GOTELEMETRY=off GOCACHE="$gocache/gocache" \
		GOPATH="$gocache/gopath" "$root/bin/go" build -trimpath "$@" -o "$bin" .)
}

# Whole binaries, and their DWARF and pclntab, are MBs each, and one
# execution over them takes milliseconds: a few, of the oldest, a middle
# and the newest toolchain, stripped, plain and PIE, teach the fuzzers the
# real shapes; all 24 would only slow them down. (LINGER_FUZZ_ALL_SEEDS=1
# keeps them all.) The small seeds cut from every binary are all kept.
prune() {
	local first=$1 mid=${*:$((($# + 1) / 2)):1} last=${*: -1} h f keep
	for h in gobin dwarf pclntab; do
		case $h in
		gobin) keep=" gotiny-$first-s gotiny-$last-pie " ;;
		dwarf) keep=" gotiny-$first gotiny-$mid-pie gotiny-$last " ;;
		pclntab) keep=" gotiny-$first-s gotiny-$mid gotiny-$last-pie " ;;
		esac
		for f in "$out/$h"/gotiny-*; do
			[ -f "$f" ] || continue
			[[ $keep == *" $(basename "$f") "* ]] || rm -f "$f"
		done
	done
}

main() {
	local name root bins=() built=() pid=
	mkdir -p "$out/bin"
	# Harness dirs are regenerated; the binaries are kept.
	find "$out" -mindepth 1 -maxdepth 1 -type d ! -name bin -exec rm -rf {} +
	python3 "$mkseeds" synth "$out"

	while read -r name root; do
		[ -n "$name" ] || continue
		log "building gotiny with $name"
		build "$root" "$out/bin/gotiny-$name" || { log "$name: build failed, skipped"; continue; }
		build "$root" "$out/bin/gotiny-$name-s" -ldflags='-s -w'
		build "$root" "$out/bin/gotiny-$name-pie" -buildmode=pie
		bins+=("$out/bin/gotiny-$name" "$out/bin/gotiny-$name-s" "$out/bin/gotiny-$name-pie")
		built+=("$name")
	done <<<"$(toolchains)"
	[ ${#bins[@]} -gt 0 ] || { log "no Go toolchain: synthetic seeds only"; return 0; }
	python3 "$mkseeds" extract "$out" "${bins[@]}"
	[ "${LINGER_FUZZ_ALL_SEEDS:-0}" = 1 ] || prune "${built[@]}"

	# A real /proc/PID/maps, of a PIE gotiny.
	local fifo
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	"${bins[2]}" -duration=5s >"$fifo" &
	pid=$!
	if read -r -t 5 _ <"$fifo"; then
		python3 "$mkseeds" maps "$out" "$pid" "${bins[2]}"
	fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$fifo"
	log "$(find "$out" -mindepth 2 -type f ! -path "$out/bin/*" | wc -l) seeds in $out"
}

main "$@"
