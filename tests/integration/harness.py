"""Shared pieces of the integration tests: Go targets started and stopped
cleanly, linger runs with their output parsed, a tiny test runner."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback


class Target:
    """A Go test program from tests/targets, started with its stdout piped.

    The programs print `ready <pid>`, `healthy <func>` and, once a second,
    `truth <unix-ms> <func> <leaked>` lines; they are collected here."""

    def __init__(self, path, *args):
        self.proc = subprocess.Popen([path, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True,
                                     start_new_session=True)
        self.healthy = set()
        self.leaked = {}
        self.ready_pid = None  # what the program says its PID is
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self.ready.wait(30):
            self.stop()
            raise AssertionError(f"{path} never printed ready")

    @property
    def pid(self):
        return self.proc.pid

    def _read(self):
        for line in self.proc.stdout:
            f = line.split()
            if not f:
                continue
            if f[0] == "ready":
                self.ready_pid = int(f[1]) if len(f) > 1 and f[1].isdigit() else None
                self.ready.set()
            elif f[0] == "healthy" and len(f) >= 2:
                self.healthy.add(f[1])
            elif f[0] == "truth" and len(f) >= 4:
                self.leaked[f[2]] = int(f[3])

    def stop(self):
        # The whole process group: a target started through a wrapper
        # (unshare, sh) goes with it.
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Run:
    """The result of one linger run."""

    def __init__(self, status, stdout, stderr, seconds):
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.reports = []
        for line in stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                self.reports.append(json.loads(line))

    @property
    def final(self):
        assert self.reports, f"no JSON report; stderr: {self.stderr!r}"
        return self.reports[-1]


def run_linger(linger, args, timeout=120, user=None):
    cmd = [linger, *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
               "--inh-caps=-all", *cmd]
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout)
    return Run(p.returncode, p.stdout, p.stderr, time.monotonic() - start)


FLAGGED = ("leak", "growing")


def flagged_sites(report):
    return [s for s in report["sites"] if s["verdict"] in FLAGGED]


def site_func(site):
    return site["go_site"]["func"]


def require_root():
    if os.geteuid() != 0:
        print("integration tests attach BPF programs and need root: run them as root",
              file=sys.stderr)
        sys.exit(1)


def run_tests(tests):
    """Runs each test function, prints a line per test and the closing
    `N passed, N failed` line; exits 1 when any failed."""
    passed = failed = 0
    for t in tests:
        start = time.monotonic()
        try:
            t()
        except Exception:  # a failed assertion or a crash: both fail the test
            failed += 1
            print(f"FAIL {t.__name__} ({time.monotonic() - start:.1f}s)")
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print(f"ok   {t.__name__} ({time.monotonic() - start:.1f}s)")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
