#!/usr/bin/env bash
# Matrix test (ctest label "matrix"): for every Go toolchain in the cache of
# scripts/go-toolchains.sh, builds tests/targets/gotiny, and checks that the
# offsets linger's DWARF reader finds in it are those of runtime/offsets.c for
# that Go version (dump_offsets --check). Fails, not skips, when the cache is
# empty. Needs no root and no network.
#
# USAGE
#   test_offsets.sh --dump-offsets PATH [--work DIR]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dump=
work=

while [ $# -gt 0 ]; do
	case $1 in
	--dump-offsets)
		dump=${2:?}
		shift
		;;
	--work)
		work=${2:?}
		shift
		;;
	*)
		echo "usage: test_offsets.sh --dump-offsets PATH [--work DIR]" >&2
		exit 2
		;;
	esac
	shift
done
[ -x "$dump" ] || {
	echo "test_offsets: no dump_offsets at '$dump'" >&2
	exit 2
}
if [ -z "$work" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

list=$("$repo/scripts/go-toolchains.sh" --list)
if [ -z "$list" ]; then
	echo "test_offsets: FAIL: the Go toolchain cache is empty: run scripts/go-toolchains.sh" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0 failed=0
while read -r name _; do
	bin=$work/gotiny-$name
	if ! "$repo/scripts/go-toolchains.sh" --build "$name" "$repo/tests/targets/gotiny" "$bin"; then
		echo "FAIL $name: building gotiny failed"
		failed=$((failed + 1))
		continue
	fi
	if "$dump" --check "$bin"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done <<<"$list"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
