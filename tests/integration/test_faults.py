#!/usr/bin/env python3
"""Fault tests: linger against targets that die, stop, exec, flood it, hold
a million goroutines, share it with another linger; linger itself killed,
interrupted and terminated. Each must end cleanly (status 0/1 with a final
report, or 2 with one line), never crash or hang, and leave no probe behind.

The targets are tests/targets/mixed (three known leaks, with ground truth)
and tests/targets/faults (one fault behaviour per -mode; see its main.go)."""
import argparse
import glob
import json
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time

from harness import Run, Target, flagged_sites, require_root, run_tests, site_func

ap = argparse.ArgumentParser()
ap.add_argument("--linger", required=True)
ap.add_argument("--targets", required=True)
ap.add_argument("--only", help="run only the tests whose names contain this")
ARGS = ap.parse_args()
LINGER = ARGS.linger

MIXED_LEAKS = {"main.leakTimeout": "leak", "main.leakLockedMutex": "leak",
               "main.leakForgottenReceiver": "growing"}


def target(name):
    return os.path.join(ARGS.targets, name)


class FaultTarget(Target):
    """A Target that also keeps the `rate <unix-ms> <n>` lines of the faults
    program (with when they arrived), and waits longer for `ready`."""

    def __init__(self, path, *args, env=None, ready_timeout=30):
        self.rates = []  # (time.monotonic() at arrival, rate)
        self.proc = subprocess.Popen([path, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True,
                                     start_new_session=True,
                                     env=dict(os.environ, **(env or {})))
        self.healthy, self.leaked, self.ready_pid = set(), {}, None
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self.ready.wait(ready_timeout):
            self.kill()
            raise AssertionError(f"{path} never printed ready")

    def _read(self):
        for line in self.proc.stdout:
            f = line.split()
            if len(f) == 3 and f[0] == "rate":
                self.rates.append((time.monotonic(), float(f[2])))
            elif f and f[0] == "ready":
                self.ready_pid = int(f[1])
                self.ready.set()

    def rate(self, seconds):
        """The median rate the target prints over the next `seconds`."""
        start = time.monotonic()
        time.sleep(seconds)
        got = [r for t, r in self.rates if t > start]
        assert len(got) >= 3, f"the target printed {len(got)} rates in {seconds}s"
        return statistics.median(got)

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


class Linger:
    """linger running in the background; its stdout and stderr go to files,
    so its reports can be read while it runs and it never blocks on a pipe."""

    def __init__(self, *args):
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.started = time.monotonic()
        self.proc = subprocess.Popen([LINGER, *args], stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err)
        self.pid = self.proc.pid

    def _text(self, f):
        return os.pread(f.fileno(), os.fstat(f.fileno()).st_size, 0).decode(errors="replace")

    def reports(self):
        """The complete JSON lines so far."""
        text = self._text(self.out)
        return [json.loads(l) for l in text[:text.rfind("\n") + 1].splitlines()
                if l.startswith("{")]

    def wait_reports(self, n, timeout):
        """Waits for n reports; returns the time it took since the start."""
        deadline = time.monotonic() + timeout
        while len(self.reports()) < n:
            assert self.proc.poll() is None, \
                f"linger exited ({self.proc.returncode}): {self._text(self.err)!r}"
            assert time.monotonic() < deadline, f"no {n} reports after {timeout}s"
            time.sleep(0.05)
        return time.monotonic() - self.started

    def wait(self, timeout):
        """Waits for linger to end by itself; a hang fails the test."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"linger still running {timeout}s later: hung; "
                                 f"stderr {self._text(self.err)!r}") from None
        return self.result()

    def result(self):
        return Run(self.proc.returncode, self._text(self.out), self._text(self.err),
                   time.monotonic() - self.started)

    def vm(self, field):
        """A VmXXX line of linger's /proc/PID/status, in bytes (0 once gone)."""
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        self.err.close()


def stderr_lines(run):
    return [l for l in run.stderr.splitlines() if l.strip()]


def ended_cleanly(run):
    """Status 0/1 with a final report, or 2 with exactly one line and no
    report; never a signal (a crash) or anything else."""
    assert run.status in (0, 1, 2), f"status {run.status}: crashed? stderr {run.stderr!r}"
    if run.status == 2:
        lines = stderr_lines(run)
        assert len(lines) == 1, f"status 2 wants one line on stderr: {lines!r}"
        assert run.stdout == "", f"status 2 with a report: {run.stdout[-500:]!r}"
        return
    assert run.reports and run.final["final"] is True, f"no final report: {run.stdout[-500:]!r}"


# ---- probes left behind --------------------------------------------------


def bpftool(*args):
    p = subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True, timeout=30)
    return json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else []


def multi_uprobe_links(holder_pid, target_pid):
    """The multi-uprobe links a process holds on the target (bpftool's
    perf list does not show them): from the fdinfo of its link fds."""
    links = []
    for path in glob.glob(f"/proc/{holder_pid}/fdinfo/*"):
        try:
            with open(path) as f:
                info = dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
        except OSError:
            continue
        if info.get("link_type") == "uprobe_multi" and info.get("pid") in (str(target_pid), "0"):
            links.append({"prog_id": int(info["prog_id"]), "link_id": int(info["link_id"])})
    return links


def uprobes_on(target_pid, linger_pid=None):
    """bpftool's perf entries that probe the target (libbpf attaches
    through /proc/PID/exe, and bpftool names that path) or belong to
    linger_pid, and linger_pid's multi-uprobe links on the target. (A
    multi-uprobe link lives only as long as its holder's fd: once linger
    is gone, assert_no_probes_left finds any left by its programs.)"""
    exe = f"/proc/{target_pid}/exe"
    perf = [e for e in bpftool("perf", "list")
            if e.get("fd_type") in ("uprobe", "uretprobe") and
            (e.get("filename") == exe or (linger_pid and e.get("pid") == linger_pid))]
    return perf + (multi_uprobe_links(linger_pid, target_pid) if linger_pid else [])


def assert_no_probes_left(target_pid, prog_ids, timeout=5):
    """No uprobe on the target any more, and linger's BPF programs (the
    ids seen while it ran) are neither linked nor loaded."""
    deadline = time.monotonic() + timeout
    while True:
        perf = uprobes_on(target_pid)
        links = [l for l in bpftool("link", "list") if l.get("prog_id") in prog_ids]
        progs = [p for p in bpftool("prog", "list") if p.get("id") in prog_ids]
        if not perf and not links and not progs:
            return
        # The kernel frees programs after an RCU grace period: give it time.
        assert time.monotonic() < deadline, \
            f"left behind: perf {perf}, links {links}, programs {[p['id'] for p in progs]}"
        time.sleep(0.2)


def attached_prog_ids(target_pid, linger_pid, timeout=5):
    """linger's programs, once its spawn and exit probes are seen on the
    target (the park probe only with --park-probe): two perf-event
    uprobes, or two multi-uprobe links. On a busy target they run in duty
    cycles: off for up to ~2 s at a time."""
    deadline = time.monotonic() + timeout
    while True:
        entries = uprobes_on(target_pid, linger_pid)
        if len(entries) >= 2:
            break
        assert time.monotonic() < deadline, f"linger has no spawn and exit probes: {entries}"
        time.sleep(0.05)
    ids = {e["prog_id"] for e in entries}
    # Every program linger holds, attached now or not.
    for path in glob.glob(f"/proc/{linger_pid}/fdinfo/*"):
        try:
            with open(path) as f:
                ids |= {int(l.split()[1]) for l in f if l.startswith("prog_id:")}
        except (OSError, ValueError):
            pass
    return ids


# ---- 1. the target killed while linger attaches ---------------------------


def test_target_killed_while_attaching():
    # Delays after starting linger; at the short ones linger is still
    # opening the binary or attaching. The last two leave the target a
    # zombie (its parent slow to reap it), the others reap it at once.
    plan = [(0, True), (0.02, True), (0.05, True), (0.1, True), (0.3, True),
            (0.6, True), (0.05, False), (0.3, False)]
    seen = []
    for delay, reap in plan:
        with Target(target("mixed")) as t, Linger("-p", str(t.pid), "-d", "60s", "--json") as l:
            time.sleep(delay)
            t.proc.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            if reap:
                t.proc.wait()
            run = l.wait(20)
            after = time.monotonic() - killed
            t.proc.wait()
        ended_cleanly(run)
        if run.status != 2:
            assert run.final["target_exited"] is True, run.final
        assert after < 5, f"linger took {after:.1f}s to notice the target died"
        what = (run.status, stderr_lines(run)[-1] if stderr_lines(run) else "")
        seen.append(f"{delay * 1000:.0f}ms{'' if reap else '/zombie'}: "
                    f"exit {run.status} in {after:.2f}s ({what[1]})")
    for s in seen:
        print(f"     {s}")


# ---- 2. the target stopped and resumed ------------------------------------


def test_target_stopped_and_resumed():
    # A stopped target (SIGSTOP, a debugger, a frozen cgroup) runs none of
    # its goroutines: they age while none of their siblings can exit, so
    # linger holds its reports back until the target runs again, rather
    # than flag every healthy site whose goroutines outlive a refresh.
    with Target(target("mixed"), "-lock-loss-after", "5s") as t, \
            Linger("-p", str(t.pid), "-d", "24s", "--json") as l:
        l.wait_reports(7, 30)
        os.kill(t.pid, signal.SIGSTOP)
        stopped_at = len(l.reports())
        time.sleep(5)
        assert l.proc.poll() is None, "linger ended while the target was stopped"
        during = l.reports()[stopped_at:]
        os.kill(t.pid, signal.SIGCONT)
        resumed_at = len(l.reports())
        run = l.wait(40)
        leaked = {f: n for f, n in t.leaked.items() if n > 0}
    assert run.status == 1, f"exit {run.status}; stderr {run.stderr!r}"
    assert run.stderr == "", run.stderr
    reps = run.reports
    # At most the report already due when SIGSTOP came; then they resume,
    # with events flowing again.
    assert len(during) <= 1, f"{len(during)} reports in 5s of SIGSTOP"
    after = reps[resumed_at:]
    assert len(after) >= 8, f"{len(after)} reports in the ~11s after SIGCONT"
    gap = (after[0]["elapsed_ns"] - reps[resumed_at - 1]["elapsed_ns"]) / 1e9
    before = reps[stopped_at - 1]["events"] - reps[stopped_at - 4]["events"]
    flowing = after[-1]["events"] - after[0]["events"]
    assert flowing > before, (before, flowing)
    got = {site_func(s): s["verdict"] for s in flagged_sites(run.final)}
    assert got == MIXED_LEAKS, (got, leaked)
    assert set(leaked) == set(MIXED_LEAKS), f"the target's own count: {leaked}"
    # No healthy site flagged in any report, before, around or after the stop.
    for r in reps:
        bad = {site_func(s) for s in flagged_sites(r)} - set(MIXED_LEAKS)
        assert not bad, f"healthy sites flagged {(r['elapsed_ns'] / 1e9):.0f}s in: {bad}"
    print(f"     {len(during)} report(s) while stopped, next {gap:.1f}s after the previous; "
          f"events +{before} in the 3s before, +{flowing} in the {len(after) - 1}s after")


# ---- 3. the target execs ----------------------------------------------------


def test_target_execs():
    # What a user expects: the program linger attached to is gone (its
    # probes went with its address space), so linger ends as when the
    # target exits, with its final report and one line saying why, even
    # when the new program is the same binary: it is a new process image,
    # whose goroutine IDs start again at 1.
    for into in ("/bin/sleep", "self"):
        with FaultTarget(target("faults"), "-mode", "exec", "-exec-after", "3s",
                         "-exec-into", into, "-exec-args", "60") as t, \
                Linger("-p", str(t.pid), "-d", "60s", "--json") as l:
            exec_at = time.monotonic() + 3  # the target execs 3s after `ready`
            run = l.wait(30)
            took = l.started + run.seconds - exec_at
            alive = t.proc.poll() is None
        assert alive, "the exec'd target died: the test proves nothing"
        assert run.status in (0, 1), f"exit {run.status}; stderr {run.stderr!r}"
        assert run.final["final"] is True and run.final["target_exited"] is True, run.final
        lines = stderr_lines(run)
        assert len(lines) == 1 and "exec" in lines[0], lines
        assert took < 8, f"linger ended {took:.1f}s after the exec"
        print(f"     exec {into}: exit {run.status} within ~{took:.1f}s: {lines[0]}")


# ---- 4. the ring buffer overrun ---------------------------------------------


def check_consistent(reps, bound):
    prev = None
    for r in reps:
        assert 0 <= r["live"] <= bound, f"live {r['live']} at {r['elapsed_ns']}"
        for s in r["sites"]:
            assert 0 <= s["live"] <= bound and s["exited"] >= 0 and s["suspects"] <= s["live"], s
        if prev:
            assert r["events"] >= prev["events"] and r["drops"] >= prev["drops"], (prev, r)
        prev = r


def storm(*linger_args):
    spawners, batch = 2, 512
    with FaultTarget(target("faults"), "-mode", "storm", "-spawners", str(spawners),
                     "-batch", str(batch)) as t:
        free = t.rate(1)
        with Linger("-p", str(t.pid), "-d", "6s", "--json", *linger_args) as l:
            run = l.wait(40)
        probed = statistics.median([r for _, r in t.rates[-20:]])
    ended_cleanly(run)
    assert run.status in (0, 1), run.stderr
    reps = run.reports
    check_consistent(reps, 10 * spawners * batch + 2000)
    rates = [(b["events"] - a["events"]) / ((b["elapsed_ns"] - a["elapsed_ns"]) / 1e9)
             for a, b in zip(reps, reps[1:])]
    # Lost exits must not turn into leaks: only the target's real one shows.
    for r in reps:
        bad = {site_func(s) for s in flagged_sites(r)} - {"main.leakForever"}
        assert not bad, f"flagged {(r['elapsed_ns'] / 1e9):.0f}s in: {bad}"
    # (Goroutines read from allgs at attach may sit in a second main.storm
    # site, keyed by their `go` statement: the spawns seen first took the
    # creation stack's.)
    exited = sum(s["exited"] for s in run.final["sites"] if site_func(s) == "main.storm")
    assert exited > 0, run.final["sites"]
    return run, max(rates), free, probed


def test_ring_buffer_overrun():
    # At full speed on every core, with the default ring buffer.
    run, peak, free, probed = storm()
    print(f"     default buffer: {run.final['events']} events, peak {peak / 1e3:.0f}k "
          f"events/s, drops {run.final['drops']}; the target spawned {free / 1e3:.0f}k/s "
          f"free, {probed / 1e3:.0f}k/s probed")
    # The probes slow the spawners down more than linger's reader, so the
    # default buffer may well never fill: shrink it until it must.
    run, peak, _, _ = storm("--ringbuf-size", "16K")
    drops = run.final["drops"]
    assert drops > 0, f"a 16K ring buffer never overflowed at {peak:.0f} events/s"
    # Drops are shown as they happen, not only at the end.
    assert any(r["drops"] > 0 for r in run.reports[:-1]), "drops not in the reports"
    print(f"     16K buffer: {run.final['events']} events, {drops} drops "
          f"({drops / (drops + run.final['events']):.0%}), live stayed within "
          f"{max(r['live'] for r in run.reports)}, final live {run.final['live']}, "
          f"exit {run.status}; main.storm sites (live/exited): "
          f"{[(x['live'], x['exited']) for x in run.final['sites'] if site_func(x) == 'main.storm']}")


# ---- 5. a million goroutines --------------------------------------------------


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def test_million_goroutines():
    n = 1000000
    avail = mem_available()
    # ~2.7 GB for the target (2 KB stacks and the g structs), a little
    # for linger. Too little memory fails with the reason rather than
    # pushing the machine into the OOM killer, or passing unmeasured.
    assert avail >= 6 << 30, f"{avail >> 20} MiB available: the test needs 6 GiB"
    with FaultTarget(target("faults"), "-mode", "park", "-count", str(n), "-leak-every", "0",
                     ready_timeout=120) as t:
        try:
            with Linger("-p", str(t.pid), "-d", "4s", "--json") as l:
                hwm = 0
                first = None
                while l.proc.poll() is None:
                    hwm = max(hwm, l.vm("VmHWM"))
                    if first is None and l.reports():
                        first = time.monotonic() - l.started
                    assert time.monotonic() - l.started < 120, "no end in 120s"
                    time.sleep(0.05)
                run = l.wait(10)
        finally:
            t.kill()  # a million goroutines woken by SIGTERM take a while
    assert run.status in (0, 1), run.stderr
    first = first or run.seconds
    r = run.reports[0]
    park = [s for s in r["sites"] if site_func(s) == "main.parkMany"]
    assert park and park[0]["live"] >= n * 0.99, park
    assert r["evictions"] == 0, r["evictions"]
    tracked = r["live"]
    per = hwm / tracked
    print(f"     {tracked} goroutines: first report after {first:.1f}s, linger's VmHWM "
          f"{hwm / 2**20:.0f} MiB = {per:.0f} bytes per goroutine, {len(run.reports)} reports")
    assert first < 60, f"first report after {first:.0f}s"
    # AddressSanitizer's redzones and shadow memory are not linger's: under
    # scripts/sanitize.sh the bound is the sanitizer's usual ~2x.
    bound = 400 if os.environ.get("LINGER_SANITIZED") else 200
    assert per < bound, f"{per:.0f} bytes per tracked goroutine (bound {bound})"


# ---- 6. two lingers on one target ---------------------------------------------


def test_two_lingers_on_one_target():
    with Target(target("mixed"), "-lock-loss-after", "6s") as t, \
            Linger("-p", str(t.pid), "-d", "14s", "--json") as a, \
            Linger("-p", str(t.pid), "-d", "14s", "--json") as b:
        runs = [a.wait(60), b.wait(60)]
    rates = []
    for run in runs:
        assert run.status == 1, f"exit {run.status}; stderr {run.stderr!r}"
        assert run.stderr == "", run.stderr
        got = {site_func(s): s["verdict"] for s in flagged_sites(run.final)}
        assert got == MIXED_LEAKS, got
        assert run.final["drops"] == 0, run.final["drops"]
        rates.append(run.final["events"] / (run.final["elapsed_ns"] / 1e9))
    # Each sees every event, not a share of them.
    ratio = min(rates) / max(rates)
    assert ratio > 0.6, f"event rates {rates}"
    print(f"     both exit 1 with the 3 leaks; events/s {rates[0]:.0f} and {rates[1]:.0f}")


# ---- 7, 8. linger killed, interrupted, terminated --------------------------------


def speed_check(how, stop):
    """Measures the churn target's speed before, while and after linger
    runs; stop(linger) ends linger. Returns (run, before, during, after)."""
    # One P: the churn loop's speed is then steadier on a shared machine.
    with FaultTarget(target("faults"), "-mode", "churn", "-leak-every", "0", "-report", "100ms",
                     env={"GOMAXPROCS": "1"}) as t:
        time.sleep(0.5)  # warm up
        before = t.rate(2)
        with Linger("-p", str(t.pid), "--json") as l:
            l.wait_reports(1, 30)
            progs = attached_prog_ids(t.pid, l.pid)
            during = t.rate(2)
            stopped_at = time.monotonic()
            stop(l)
            run = l.wait(10)
            run.exit_seconds = time.monotonic() - stopped_at
        assert_no_probes_left(t.pid, progs)
        after = t.rate(2)
        # A loaded machine makes single measurements noisy: measure again
        # before calling the target slow.
        for _ in range(3):
            if after >= 0.8 * before:
                break
            before, after = t.rate(1.5), t.rate(1.5)
    print(f"     {how}: exit {run.status}; target speed {before / 1e3:.0f}k/s before, "
          f"{during / 1e3:.0f}k/s attached ({during / before:.2f}x), "
          f"{after / 1e3:.0f}k/s after ({after / before:.2f}x)")
    assert after >= 0.8 * before, f"after {after:.0f}/s, before {before:.0f}/s"
    return run


def test_linger_sigkill_leaves_no_probes():
    run = speed_check("SIGKILL", lambda l: l.proc.send_signal(signal.SIGKILL))
    assert run.status == -signal.SIGKILL, run.status


def test_linger_sigint_and_sigterm():
    for sig in (signal.SIGINT, signal.SIGTERM):
        run = speed_check(sig.name, lambda l, sig=sig: l.proc.send_signal(sig))
        took = run.exit_seconds
        assert run.status in (0, 1), f"{sig.name}: exit {run.status}; stderr {run.stderr!r}"
        assert run.final["final"] is True and run.final["target_exited"] is False, run.final
        assert run.stderr == "", run.stderr
        assert took < 5, f"{sig.name}: took {took:.1f}s"


if __name__ == "__main__":
    require_root()
    run_tests([t for t in [
        test_target_killed_while_attaching,
        test_target_stopped_and_resumed,
        test_target_execs,
        test_ring_buffer_overrun,
        test_million_goroutines,
        test_two_lingers_on_one_target,
        test_linger_sigkill_leaves_no_probes,
        test_linger_sigint_and_sigterm,
    ] if not ARGS.only or ARGS.only in t.__name__])
