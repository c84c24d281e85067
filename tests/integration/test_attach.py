#!/usr/bin/env python3
"""Integration tests: build/linger attached with real BPF to real Go
programs from tests/targets, and every bad input it must refuse cleanly."""
import argparse
import os
import shutil
import subprocess
import tempfile
import time

from harness import (Target, flagged_sites, require_root, run_linger, run_tests,
                     site_func)

ap = argparse.ArgumentParser()
ap.add_argument("--linger", required=True)
ap.add_argument("--targets", required=True)
ap.add_argument("--duration", default="15s")
ARGS = ap.parse_args()
LINGER = ARGS.linger


def target(name):
    return os.path.join(ARGS.targets, name)


def one_line_error(run, *words):
    lines = [l for l in run.stderr.splitlines() if l.strip()]
    assert run.status == 2, f"exit {run.status}, stderr {run.stderr!r}"
    assert len(lines) == 1, f"want one line on stderr, got {lines!r}"
    for w in words:
        assert w in lines[0], f"{w!r} not in {lines[0]!r}"
    assert run.stdout == "", f"stdout must stay empty on errors: {run.stdout!r}"


def test_mixed_flags_every_leak_and_nothing_healthy():
    with Target(target("mixed"), "-lock-loss-after", "6s") as t:
        time.sleep(1)
        run = run_linger(LINGER, ["-p", str(t.pid), "--duration", ARGS.duration, "--json"])
        leaked = {f: n for f, n in t.leaked.items() if n > 0}
    final = run.final
    assert final["final"] is True
    assert leaked, "the target reported no leaks: the test proves nothing"
    flagged = {site_func(s) for s in flagged_sites(final)}
    for func in leaked:
        assert func in flagged, f"leak site {func} not flagged; flagged: {flagged}"
    for s in flagged_sites(final):
        assert site_func(s) in leaked, f"healthy site flagged: {s}"
    # The churning sites spawn all the time, so they must be seen; pools
    # and waiters started before attach are not visible to spawn probes.
    churn = {f for f in t.healthy if f.startswith("main.healthy")}
    assert churn, "the target named no churning healthy site"
    seen = {site_func(s) for s in final["sites"]}
    assert churn <= seen, f"healthy sites never seen: {churn - seen}: spawns missed?"
    assert run.status == 1, f"exit {run.status} with findings; stderr {run.stderr!r}"
    assert final["drops"] == 0, f"ring buffer dropped {final['drops']} records"
    # when was each leak first flagged, for the record
    for func in sorted(leaked):
        first = next((r["elapsed_ns"] for r in run.reports
                      if any(site_func(s) == func for s in flagged_sites(r))), None)
        site = next(s for s in final["sites"] if site_func(s) == func)
        print(f"     {func}: {site['verdict']} first at {first / 1e9:.1f}s, "
              f"{site['suspects']} suspects / {site['live']} live, "
              f"{leaked[func]} leaked by the target's count, "
              f"blocked at {site['blocked_at']['func']} ({site['wait_reason']})")


def test_perf_event_uprobes_as_on_older_kernels():
    """Kernels before 6.6 have no multi-uprobe links: linger then attaches
    one perf-event uprobe per site. --perf-uprobes takes that path here,
    and it must find the same leaks."""
    with Target(target("mixed"), "-lock-loss-after", "6s") as t:
        time.sleep(1)
        default = run_linger(LINGER, ["-p", str(t.pid), "--duration", "2s", "--json", "-v"])
        run = run_linger(LINGER, ["-p", str(t.pid), "--duration", ARGS.duration, "--json", "-v",
                                  "--perf-uprobes"])
        leaked = {f for f, n in t.leaked.items() if n > 0}
    assert "probes attach as multi-uprobe links" in default.stderr, default.stderr[-2000:]
    assert "probes attach as perf-event uprobes" in run.stderr, run.stderr[-2000:]
    assert leaked, "the target reported no leaks: the test proves nothing"
    flagged = {site_func(s) for s in flagged_sites(run.final)}
    assert flagged == leaked, f"flagged {flagged}, leaked {leaked}"
    assert run.status == 1, f"exit {run.status}; stderr {run.stderr[-2000:]!r}"


def test_healthy_program_flags_nothing():
    with Target(target("healthy")) as t:
        time.sleep(1)
        run = run_linger(LINGER, ["-p", str(t.pid), "--duration", ARGS.duration, "--json"])
    bad = [r for r in run.reports if flagged_sites(r)]
    assert not bad, f"healthy program flagged: {flagged_sites(bad[0])}"
    churn = {f for f in t.healthy if f.startswith("main.healthy")}
    seen = {site_func(s) for s in run.final["sites"]}
    assert churn and churn <= seen, f"healthy sites never seen: {churn - seen}"
    assert run.status == 0, f"exit {run.status}; stderr {run.stderr!r}"


def test_leak_sites_name_where_they_block():
    with Target(target("mixed"), "-lock-loss-after", "6s") as t:
        time.sleep(1)
        run = run_linger(LINGER, ["-p", str(t.pid), "--duration", "12s", "--json"])
    by_func = {site_func(s): s for s in run.final["sites"]}
    recv = by_func["main.leakForgottenReceiver"]
    assert recv["wait_reason"] == "chan receive", recv
    assert recv["blocked_at"]["func"].startswith("main.leakForgottenReceiver"), recv
    assert recv["go_site"]["file"].endswith("main.go") and recv["go_site"]["line"] > 0
    lock = by_func["main.leakLockedMutex"]
    assert lock["wait_reason"].startswith("sync.Mutex") or lock["wait_reason"] == "semacquire", lock
    assert lock["blocked_at"]["func"].startswith("main.leakLockedMutex"), lock


def test_leak_from_before_attach_shows_in_the_first_report():
    with Target(target("mixed")) as t:
        time.sleep(6)
        before = t.leaked.get("main.leakTimeout", 0)
        run = run_linger(LINGER, ["-p", str(t.pid), "--duration", "3s", "--json"])
    assert before >= 5, f"the target leaked only {before} before attach"
    # The first report in which the site has statistics (5 exits: within
    # the first second at this rate, later on a slow machine or under a
    # sanitizer) already counts the old goroutines as suspects.
    judged = [r for r in run.reports
              if any(site_func(s) == "main.leakTimeout" and s["threshold_ns"] > 0
                     for s in r["sites"])]
    assert judged and run.reports.index(judged[0]) <= 1, "no statistics in the first reports"
    first = judged[0]
    site = next(s for s in first["sites"] if site_func(s) == "main.leakTimeout")
    # Goroutines leaked before attach were read from allgs: they are old
    # at once, and counted with the site's new ones.
    assert site["suspects"] >= before * 0.8, (before, site)
    # Their age is known from attach on at least (the runtime stamps
    # waitsince only at a GC after they parked).
    assert site["oldest_ns"] >= first["elapsed_ns"] * 0.9, site
    pools = [s for s in run.reports[0]["sites"] if site_func(s) == "main.startWorkerPool"]
    assert pools and pools[0]["live"] == 8, pools
    assert not any(s["verdict"] in ("leak", "growing") for s in pools), pools


def test_a_leak_holds_across_two_target_gcs():
    # --gc-wait 1h: only the target's GCs (every 2 s here) can settle a
    # leak, and they are counted by the probe on gcMarkTermination.
    with Target(target("mixed"), "-gc-every", "2s") as t:
        run = run_linger(LINGER, ["-p", str(t.pid), "--duration", "14s", "--json",
                                  "--gc-wait", "1h"])
    assert run.final["gc_cycles"] >= 5, run.final["gc_cycles"]
    timeout = [(r["gc_cycles"], next(s for s in r["sites"] if site_func(s) == "main.leakTimeout"))
               for r in run.reports
               if any(site_func(s) == "main.leakTimeout" for s in r["sites"])]
    leak_at = [i for i, (_, s) in enumerate(timeout) if s["verdict"] == "leak"]
    assert leak_at, timeout[-1]
    # A candidate before: suspects enough, yet not shown until two GCs
    # had passed with it.
    first = leak_at[0]
    began = [i for i in range(first) if timeout[i][1]["suspects"] >= 3]
    assert began, "the leak was shown without waiting"
    assert timeout[first][0] - timeout[began[0]][0] >= 2, timeout[began[0]:first + 1]


def flags_mixed_leaks(run):
    got = {site_func(s): s["verdict"] for s in flagged_sites(run.final)}
    assert got == {"main.leakTimeout": "leak", "main.leakLockedMutex": "leak",
                   "main.leakForgottenReceiver": "growing"}, (got, run.stderr)


def test_binary_deleted_since_start():
    with tempfile.TemporaryDirectory() as d:
        copy = os.path.join(d, "mixed")
        shutil.copy(target("mixed"), copy)
        with Target(copy, "-lock-loss-after", "5s") as t:
            os.unlink(copy)
            time.sleep(1)
            run = run_linger(LINGER, ["-p", str(t.pid), "--duration", "12s", "--json"])
    assert run.final["exe"].endswith("(deleted)"), run.final["exe"]
    flags_mixed_leaks(run)


def test_binary_in_another_mount_namespace():
    # As a container's process: its binary is on a mount only its own
    # mount namespace has, so the path means nothing from here.
    with tempfile.TemporaryDirectory() as d:
        script = (f"mount -t tmpfs none {d} && cp {target('mixed')} {d}/mixed && "
                  f"exec {d}/mixed -lock-loss-after 5s")
        with Target("unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c",
                    script) as t:
            assert not os.path.exists(os.path.join(d, "mixed"))
            time.sleep(1)
            run = run_linger(LINGER, ["-p", str(t.ready_pid), "--duration", "12s", "--json"])
    flags_mixed_leaks(run)


def test_target_exit_ends_the_run_with_a_final_report():
    with Target(target("gotiny"), "-duration", "3s") as t:
        run = run_linger(LINGER, ["-p", str(t.pid), "--duration", "60s", "--json"])
    assert run.seconds < 15, f"took {run.seconds:.1f}s after the target exited"
    assert run.final["final"] is True and run.final["target_exited"] is True
    assert run.status in (0, 1), run.stderr


def test_no_such_pid():
    pid = 4194303  # above any pid_max in use here
    one_line_error(run_linger(LINGER, ["-p", str(pid), "-d", "2s"]), "no process", str(pid))


def test_not_a_go_program():
    p = subprocess.Popen(["sleep", "60"])
    try:
        run = run_linger(LINGER, ["-p", str(p.pid), "-d", "2s"])
    finally:
        p.kill()
        p.wait()
    one_line_error(run, "not a Go program")


def test_go_too_old():
    # The version check reads .go.buildinfo; a copy whose recorded version
    # says go1.16 must be refused before anything is attached.
    with tempfile.TemporaryDirectory() as d:
        old = os.path.join(d, "gotiny-old")
        shutil.copy(target("gotiny"), old)
        data = bytearray(open(old, "rb").read())
        at = data.find(b"\xff Go buildinf:")
        assert at >= 0
        ver = data.find(b"go1.", at)
        assert 0 < ver - at < 64
        data[ver:ver + 6] = b"go1.16"
        open(old, "wb").write(data)
        with Target(old, "-duration", "30s") as t:
            run = run_linger(LINGER, ["-p", str(t.pid), "-d", "2s"])
    one_line_error(run, "go1.16", "Go 1.17")


def test_runtime_symbol_missing():
    # A stripped binary whose pclntab names runtime.newproc1 otherwise: the
    # program runs (the runtime finds functions by PC, not by name), but
    # linger cannot place its spawn probe and must say so.
    with tempfile.TemporaryDirectory() as d:
        odd = os.path.join(d, "gotiny-renamed")
        data = open(target("gotiny-stripped"), "rb").read()
        assert data.count(b"runtime.newproc1\x00") >= 1
        open(odd, "wb").write(data.replace(b"runtime.newproc1\x00", b"runtime.newprocX\x00"))
        os.chmod(odd, 0o755)
        with Target(odd, "-duration", "30s") as t:
            run = run_linger(LINGER, ["-p", str(t.pid), "-d", "2s"])
    one_line_error(run, "symbol runtime.newproc1 not found")


def test_no_privileges():
    with Target(target("gotiny"), "-duration", "30s") as t:
        run = run_linger(LINGER, ["-p", str(t.pid), "-d", "2s"], user=65534)
    one_line_error(run, "root")


def test_bad_arguments():
    run = run_linger(LINGER, ["-p", "abc"])
    assert run.status == 2 and "invalid PID" in run.stderr, run.stderr
    run = run_linger(LINGER, ["-p", "1", "--duration", "soon"])
    assert run.status == 2 and "invalid duration" in run.stderr, run.stderr
    run = run_linger(LINGER, [])
    assert run.status == 2 and "-p PID or --all is required" in run.stderr, run.stderr
    for args, says in ((["--min-gc-cycles", "-1"], "invalid --min-gc-cycles"),
                       (["--gc-wait", "never"], "invalid --gc-wait"),
                       (["--growth-warn", "0"], "invalid --growth-warn"),
                       (["--growth-warn", "6"], "--growth-critical is below --growth-warn")):
        run = run_linger(LINGER, ["-p", "1"] + args)
        assert run.status == 2 and says in run.stderr and run.stderr.count("\n") <= 3, run.stderr


if __name__ == "__main__":
    require_root()
    run_tests([
        test_bad_arguments,
        test_no_such_pid,
        test_not_a_go_program,
        test_go_too_old,
        test_no_privileges,
        test_runtime_symbol_missing,
        test_target_exit_ends_the_run_with_a_final_report,
        test_leak_from_before_attach_shows_in_the_first_report,
        test_binary_deleted_since_start,
        test_binary_in_another_mount_namespace,
        test_mixed_flags_every_leak_and_nothing_healthy,
        test_perf_event_uprobes_as_on_older_kernels,
        test_healthy_program_flags_nothing,
        test_leak_sites_name_where_they_block,
        test_a_leak_holds_across_two_target_gcs,
    ])
