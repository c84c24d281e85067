#!/usr/bin/env bash
# Runs every test: unit tests (cmocka) and the integration tests, which
# attach real BPF to real Go processes and so need root.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
ctest --test-dir build --output-on-failure "$@"
