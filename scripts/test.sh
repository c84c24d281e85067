#!/usr/bin/env bash
# Runs every test: unit tests (cmocka), the integration tests, which attach
# real BPF to real Go processes and so need root, and the Go version matrix,
# whose toolchains are fetched (once, cached) first. Arguments go to ctest,
# e.g. `scripts/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
./scripts/go-toolchains.sh >/dev/null
ctest --test-dir build --output-on-failure "$@"
