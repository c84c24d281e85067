#!/usr/bin/env python3
"""The version matrix: tests/targets/mixed built with every Go toolchain
scripts/go-toolchains.sh provides, each plain, stripped, PIE and with cgo,
plus one PGO build, and linger attached to each: the same verdicts on all.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import time

from harness import (Target, flagged_sites, require_root, run_linger, run_tests,
                     site_func)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ap = argparse.ArgumentParser()
ap.add_argument("--linger", required=True)
ap.add_argument("--out", required=True, help="where the matrix binaries go")
ap.add_argument("--duration", default="14s")
ap.add_argument("--parallel", type=int, default=4)
ARGS = ap.parse_args()
ARGS.out = os.path.abspath(ARGS.out)

KINDS = {
    "plain": [],
    "stripped": ["-ldflags=-s -w"],
    "pie": ["-buildmode=pie"],
    "cgo": ["-tags=linger_cgo"],
}
EXPECT = {
    "main.leakTimeout": "leak",
    "main.leakLockedMutex": "leak",
    "main.leakForgottenReceiver": "growing",
}
PGO_MINOR = "go1.26"


def toolchains():
    p = subprocess.run([os.path.join(REPO, "scripts/go-toolchains.sh"), "--list"],
                       capture_output=True, text=True)
    lines = [l.split() for l in p.stdout.splitlines() if l.strip()]
    if len(lines) < 2:
        print("the Go toolchain cache is empty: run scripts/go-toolchains.sh first",
              file=sys.stderr)
        sys.exit(1)
    return {v: root for v, root in lines}


def go_env(root):
    cache = os.environ.get("LINGER_GO_CACHE", os.path.join(REPO, ".cache", "go"))
    env = dict(os.environ, GOROOT=root, GOTOOLCHAIN="local", GOFLAGS="-mod=mod",
               GOCACHE=os.path.join(cache, "gocache"), GOPATH=os.path.join(cache, "gopath"),
               CGO_ENABLED="1")
    env["PATH"] = os.path.join(root, "bin") + ":" + env["PATH"]
    return env


def build(version, root, kind, extra, target="mixed"):
    out = os.path.join(ARGS.out, f"{target}-{version}-{kind}")
    src = os.path.join(REPO, "tests/targets", target)
    subprocess.run([os.path.join(root, "bin/go"), "build", *extra, "-o", out, "."],
                   cwd=src, env=go_env(root), check=True, capture_output=True)
    return out


def pgo_profile(version, root):
    """A CPU profile of the plain build running, for -pgo."""
    plain = build(version, root, "plain", [])
    prof = os.path.join(ARGS.out, "mixed.pprof")
    subprocess.run([plain, "-duration", "10s", "-cpuprofile", prof, "-churn-rate", "3000",
                    "-pingpong"], check=True, capture_output=True)
    return prof


def gopark_calls(binary):
    """Direct calls to runtime.gopark: PGO inlines some of them away."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary], check=True,
                         capture_output=True, text=True).stdout
    return sum(1 for l in out.splitlines() if "call" in l and "<runtime.gopark>" in l)


CORO_EXPECT = {"main.pullAndForget": "leak"}


def check(binary, expect=EXPECT, args=("-lock-loss-after", "6s", "-gc-every", "2s"),
          healthy="main.healthyChurn", min_gcs=2):
    """Attaches linger to one build; returns a list of problems. The target
    collects every 2 s: the GC probe must count them in every kind of
    build."""
    with Target(binary, *args) as t:
        time.sleep(1)
        run = run_linger(ARGS.linger, ["-p", str(t.pid), "--duration", ARGS.duration,
                                       "--json"])
    if run.status == 2 or not run.reports:
        return [f"linger failed: exit {run.status}: {run.stderr.strip()}"]
    problems = []
    final = run.final
    got = {site_func(s): s["verdict"] for s in flagged_sites(final)}
    for func, verdict in expect.items():
        if got.get(func) != verdict:
            problems.append(f"{func}: {got.get(func, 'not flagged')}, want {verdict}")
    for func in got:
        if func not in expect:
            problems.append(f"healthy site flagged: {func} {got[func]}")
    seen = {site_func(s) for s in final["sites"]}
    if healthy not in seen:
        problems.append(f"healthy {healthy} never seen: spawns missed")
    if final["drops"]:
        problems.append(f"{final['drops']} records dropped")
    if final["gc_cycles"] < min_gcs:
        problems.append(f"{final['gc_cycles']} GCs counted, want {min_gcs} or more")
    return problems


def test_every_version_and_kind_gives_the_same_verdicts():
    os.makedirs(ARGS.out, exist_ok=True)
    tcs = toolchains()
    builds = []
    for version, root in tcs.items():
        for kind, extra in KINDS.items():
            builds.append((f"{version} {kind}", build(version, root, kind, extra)))
    if PGO_MINOR in tcs:
        prof = pgo_profile(PGO_MINOR, tcs[PGO_MINOR])
        pgo = build(PGO_MINOR, tcs[PGO_MINOR], "pgo", [f"-pgo={prof}"])
        plain = os.path.join(ARGS.out, f"mixed-{PGO_MINOR}-plain")
        # The case that matters: gopark inlined where the profile is hot.
        assert gopark_calls(pgo) < gopark_calls(plain), "PGO inlined no gopark call"
        builds.append((f"{PGO_MINOR} pgo", pgo))
    checks = [(name, lambda b=b: check(b)) for name, b in builds]
    # Coroutines (iter.Pull, Go 1.23+): a pull iterator never stopped leaks
    # its goroutine, which newproc never creates and goexit1 never ends.
    for version, root in tcs.items():
        if int(version.split(".")[1]) >= 23:
            coro = build(version, root, "plain", [], target="coro")
            checks.append((f"{version} coroutine",
                           lambda b=coro: check(b, CORO_EXPECT, (), "main.pullAndStop", 0)))
    with concurrent.futures.ThreadPoolExecutor(ARGS.parallel) as pool:
        results = list(pool.map(lambda c: (c[0], c[1]()), checks))
    failed = 0
    for name, problems in results:
        print(f"     {name:18} {'ok' if not problems else '; '.join(problems)}")
        failed += bool(problems)
    assert not failed, f"{failed} of {len(results)} builds gave other verdicts"


if __name__ == "__main__":
    require_root()
    run_tests([test_every_version_and_kind_gives_the_same_verdicts])
