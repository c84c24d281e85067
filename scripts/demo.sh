#!/usr/bin/env bash
# Sets up, builds, starts the bundled leaky demo service (an HTTP server
# with a timeout leak, loading itself) and attaches linger's live table.
# Press q to quit; the demo service is stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it installs packages and attaches BPF)" >&2
	exit 2
fi
./scripts/setup.sh >/dev/null
./scripts/build.sh >/dev/null
log=$(mktemp)
build/targets/leakysvc >"$log" 2>&1 &
svc=$!
trap 'kill "$svc" 2>/dev/null; wait "$svc" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do
	grep -q '^ready' "$log" && break
	sleep 0.1
done
grep -q '^ready' "$log" || { echo "demo.sh: the demo service did not start" >&2; cat "$log" >&2; exit 2; }
echo "demo service is PID $svc; attaching linger (q quits)" >&2
sleep 1
build/linger -p "$svc" "$@"
