#!/usr/bin/env bash
# linger's overhead benchmark (tests/bench/bench.py): throughput of Go
# workloads and etcd unprobed, with linger and with bpftrace, and the
# pipeline's figures, each next to its target. As root, after
# scripts/setup.sh and scripts/build.sh; about 15 minutes. Arguments go to
# bench.py (--help lists them; --park-probe adds linger's every-park mode).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: run as root (linger and bpftrace load BPF programs)" >&2
	exit 2
fi
# Debian's prometheus server, a large real Go binary for the time to the
# first report: the installed one, or the package unpacked into the build
# directory (not installed: nothing starts as a service).
prom=$(command -v prometheus || true)
if [ -z "$prom" ]; then
	cache=build/bench-cache
	prom=$cache/root/usr/bin/prometheus
	if [ ! -x "$prom" ]; then
		mkdir -p "$cache"
		(cd "$cache" && rm -f prometheus_*.deb && apt-get download prometheus >/dev/null 2>&1 &&
			dpkg -x prometheus_*.deb root) ||
			{ echo "bench.sh: cannot fetch Debian's prometheus package; its figure is skipped" >&2; prom=""; }
	fi
fi
exec python3 tests/bench/bench.py --build build --prometheus "$prom" "$@"
