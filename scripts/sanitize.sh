#!/usr/bin/env bash
# Builds linger, lingercore and every test with AddressSanitizer and UBSan
# (-DLINGER_SANITIZE=ON) in build-asan/ and runs the whole ctest suite there:
# unit tests, fuzz corpus replays, and the integration tests, which attach
# real BPF to real Go processes and so need root.
#
# USAGE
#   sudo scripts/sanitize.sh [CTEST ARGS...]    e.g. -L unit, -R gtable
#
# Any sanitizer report fails the test that triggered it (the build uses
# -fno-sanitize-recover=all, and ASan exits non-zero on a leak at exit).
# CC picks the compiler (default cc; gcc and clang both work).
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build-asan -DLINGER_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-asan -j"$(nproc)"

# abort_on_error off: the report goes to the test's output and the test
# fails with ASan's exit code rather than a core dump.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
# Tests that bound linger's memory allow for the sanitizer's own.
export LINGER_SANITIZED=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir build-asan --output-on-failure "$@"
