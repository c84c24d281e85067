"""linger's overhead benchmark: figures next to the targets of issue 5.

Workloads (tests/bench/load, Debian's etcd) run unprobed, with linger
attached and with bpftrace counting hits at the entries of the runtime
functions linger probes, in alternating windows; each figure is the median
of --reps windows. Pipeline figures: ingest rate (a recorded stream
replayed through gtable), linger's memory per tracked goroutine (a target
with a million), time to the first report on Debian's prometheus, and each
probe's cost per hit against the emulated-uprobe floor measured here (the
one-thread workloads: ping-pong, churn, and back-to-back GCs for the GC
probe, which a service hits only a few times a second).

Prints figures, not pass/fail; exit status 0 unless something could not
run (2, with the reason on stderr). Run through scripts/bench.sh.
"""
import argparse
import glob
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ARGS = None
NOTES = []
# Workloads of one busy thread (GOMAXPROCS=1), the other core left free.
ONE_THREAD = ("pingpong", "churn", "gc")


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ns(pid):
    """CPU time a process (all its threads) has used, in ns."""
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def vm_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def prog_ids(pid):
    """The ids of the BPF programs a process holds (its fdinfo says)."""
    ids = set()
    for path in glob.glob(f"/proc/{pid}/fdinfo/*"):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except (OSError, ValueError):
            pass
    return ids


def prog_stats(ids):
    """{name: (run_cnt, run_time_ns)} of the given BPF programs, summed by
    name (kernel.bpf_stats_enabled must be 1)."""
    out = {}
    if not ids:
        return out
    r = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True)
    try:
        progs = json.loads(r.stdout)
    except ValueError:
        return out
    for p in progs:
        if p.get("id") in ids:
            cnt, ns = out.get(p.get("name", "?"), (0, 0))
            out[p.get("name", "?")] = (cnt + p.get("run_cnt", 0), ns + p.get("run_time_ns", 0))
    return out


class Proc:
    """A child process whose stdout and stderr lines are collected."""

    def __init__(self, argv, env=None, cwd=None):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env, cwd=cwd, start_new_session=True)
        self.out, self.err = [], []
        self.cond = threading.Condition()
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()

    def _read(self, stream, sink):
        for line in stream:
            with self.cond:
                sink.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    @property
    def pid(self):
        return self.proc.pid

    def wait_line(self, pattern, timeout, stream="out"):
        """The first line matching pattern (a regex), or None on timeout or exit."""
        rx = re.compile(pattern)
        sink = self.out if stream == "out" else self.err
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in sink:
                    if rx.search(line):
                        return line
                left = end - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.1))

    def stop(self, sig=signal.SIGINT, timeout=20):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        time.sleep(0.05)  # let the readers see the last lines
        return self.proc.returncode


# ---- probers: what runs next to the target during a window ----------------


class Unprobed:
    name = "unprobed"

    def __init__(self, pid, exe):
        pass

    def start(self):
        return True

    def window_begin(self):
        pass

    def window_end(self, seconds):
        return {}

    def stop(self):
        return {}


class Linger(Unprobed):
    name = "linger"
    extra = []

    def __init__(self, pid, exe):
        self.pid = pid
        self.p = None

    def start(self):
        self.p = Proc([ARGS.linger, "-p", str(self.pid), "--json", "-v", *self.extra])
        # Steady state, what a service left attached pays: the window
        # starts after linger's first report (its start-up, the first
        # walk and symbolization, is a one-time cost, timed on prometheus
        # below).
        if not self.p.wait_line(r"^\{", 60, "out"):
            self.p.stop(signal.SIGKILL)
            NOTES.append("linger did not attach: " + " | ".join(self.p.err[-3:]))
            return False
        self.ids = prog_ids(self.p.pid)
        return True

    def window_begin(self):
        self.cpu0 = cpu_ns(self.p.pid)
        self.st0 = prog_stats(self.ids)
        self.t0 = time.monotonic()

    def window_end(self, seconds):
        dt = time.monotonic() - self.t0
        st1 = prog_stats(self.ids)
        out = {"cpu": (cpu_ns(self.p.pid) - self.cpu0) / 1e9 / dt}
        hits = 0
        for name, (cnt, ns) in st1.items():
            c0, n0 = self.st0.get(name, (0, 0))
            out["hits_" + name] = (cnt - c0) / dt
            out["progcnt_" + name] = cnt - c0
            out["progtot_" + name] = ns - n0
            hits += cnt - c0
        out["events"] = hits / dt
        return out

    def stop(self):
        self.p.stop(signal.SIGINT)
        finals = [json.loads(l) for l in self.p.out if l.startswith("{")]
        return {"drops": finals[-1]["drops"] if finals else None}


class LingerParkAll(Linger):
    name = "linger --park-probe"
    extra = ["--park-probe"]


def go_symbols(exe, names):
    """{name: address} of the functions found (symtab or .gopclntab)."""
    r = subprocess.run([ARGS.syms, exe, *names], capture_output=True, text=True)
    return {f[0]: f[1] for f in (l.split() for l in r.stdout.splitlines()) if len(f) == 2}


class Bpftrace(Unprobed):
    """bpftrace counting hits at the entries of the functions linger's probes
    are in: what a user would write first. Probed by address, which works
    on stripped binaries too."""
    name = "bpftrace"

    def __init__(self, pid, exe):
        self.pid = pid
        syms = go_symbols(exe, ["runtime.newproc1", "runtime.park_m", "runtime.gdestroy",
                                "runtime.goexit1"])
        fns = ["runtime.newproc1", "runtime.park_m",
               "runtime.gdestroy" if "runtime.gdestroy" in syms else "runtime.goexit1"]
        self.script = ", ".join(f"uprobe:{exe}:{syms[f]}" for f in fns if f in syms) + \
            " { @[probe] = count(); }"

    def start(self):
        # --unsafe: bpftrace cannot check instruction boundaries in a
        # stripped binary (etcd); function entries from .gopclntab are.
        self.p = Proc(["bpftrace", "--unsafe", "-p", str(self.pid), "-e", self.script])
        if not self.p.wait_line(r"Attaching \d+ probe", 60):
            self.p.stop(signal.SIGKILL)
            NOTES.append("bpftrace did not attach: " + " | ".join(
                l for l in self.p.err[-3:] if "RLIMIT" not in l))
            return False
        time.sleep(0.5)  # the line comes before the attach completes
        return True

    def window_begin(self):
        self.cpu0 = cpu_ns(self.p.pid)
        self.t0 = time.monotonic()

    def window_end(self, seconds):
        dt = time.monotonic() - self.t0
        return {"cpu": (cpu_ns(self.p.pid) - self.cpu0) / 1e9 / dt}

    def stop(self):
        t = time.monotonic() - self.t0
        self.p.stop(signal.SIGINT)
        hits = sum(int(m.group(1)) for l in self.p.out
                   for m in [re.search(r"^@\[.*\]: (\d+)$", l)] if m)
        return {"events": hits / t if t > 0 else None}


# ---- workloads ---------------------------------------------------------------


class OpsWorkload:
    """A load program mode that prints `ops <unix-ns> <total>` lines."""

    def __init__(self, mode, gomaxprocs):
        self.name = mode
        self.label = f"{mode} (GOMAXPROCS={gomaxprocs})"
        env = dict(os.environ, GOMAXPROCS=str(gomaxprocs))
        self.p = Proc([ARGS.load, "-mode", mode, "-report", "50ms"], env=env)
        if not self.p.wait_line(r"^ready", 30):
            die(f"load -mode {mode} never printed ready")
        self.pid, self.exe = self.p.pid, ARGS.load

    def _ops_at(self, t):
        """Cumulative ops at unix-ns t, interpolated between samples."""
        with self.p.cond:
            pts = [tuple(map(int, l.split()[1:3])) for l in self.p.out if l.startswith("ops ")]
        for (t0, o0), (t1, o1) in zip(pts, pts[1:]):
            if t0 <= t <= t1:
                return o0 + (o1 - o0) * (t - t0) / (t1 - t0)
        return None

    def measure(self, seconds):
        t0 = time.time_ns()
        time.sleep(seconds)
        t1 = time.time_ns()
        time.sleep(0.12)  # a sample after t1
        a, b = self._ops_at(t0), self._ops_at(t1)
        return (b - a) / ((t1 - t0) / 1e9) if a is not None and b is not None else None

    def stop(self):
        self.p.stop(signal.SIGTERM)


class WrkWorkload:
    """A server under keep-alive load from wrk."""

    def measure(self, seconds):
        argv = ["wrk", "-t1", f"-c{ARGS.conns}", f"-d{seconds}s", *self.wrk_extra, self.url]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30)
        m = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
        errs = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
        if errs:
            NOTES.append(f"{self.name}: {errs.group(1)} error responses in a window")
        return float(m.group(1)) if m else None


class HttpWorkload(WrkWorkload):
    def __init__(self):
        self.name = "http"
        self.label = "net/http, keep-alive (wrk)"
        self.p = Proc([ARGS.load, "-mode", "http"])
        line = self.p.wait_line(r"^ready \d+ ", 30)
        if not line:
            die("load -mode http never printed ready")
        self.url = f"http://{line.split()[2]}/"
        self.wrk_extra = []
        self.pid, self.exe = self.p.pid, ARGS.load

    def stop(self):
        self.p.stop(signal.SIGTERM)


class EtcdWorkload(WrkWorkload):
    """Debian's etcd, puts through its JSON gRPC gateway (/v3/kv/put)."""

    def __init__(self):
        self.name = "etcd"
        self.exe = "/usr/bin/etcd"
        self.label = "etcd put, JSON gateway (wrk)"
        self.dir = tempfile.mkdtemp(prefix="linger-bench-etcd-", dir="/dev/shm")
        cport, pport = free_port(), free_port()
        c, p = f"http://127.0.0.1:{cport}", f"http://127.0.0.1:{pport}"
        self.p = Proc([self.exe, "--name", "bench", "--data-dir", self.dir + "/data",
                       "--listen-client-urls", c, "--advertise-client-urls", c,
                       "--listen-peer-urls", p, "--initial-advertise-peer-urls", p,
                       "--initial-cluster", f"bench={p}", "--log-level", "error",
                       "--quota-backend-bytes", str(4 << 30)])
        self.url = c + "/v3/kv/put"
        script = os.path.join(self.dir, "put.lua")
        with open(script, "w") as f:
            f.write('wrk.method = "POST"\n'
                    'wrk.headers["Content-Type"] = "application/json"\n'
                    'wrk.body = \'{"key": "YmVuY2g=", "value": "dmFsdWU="}\'\n')
        self.wrk_extra = ["-s", script]
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                req = urllib.request.Request(c + "/v3/maintenance/status", data=b"{}")
                with urllib.request.urlopen(req, timeout=2) as r:
                    if b"header" in r.read():
                        break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            die("etcd did not come up: " + " | ".join(self.p.err[-3:]))
        self.pid = self.p.pid

    def stop(self):
        self.p.stop(signal.SIGTERM)
        subprocess.run(["rm", "-rf", self.dir])


def have(prog):
    return any(os.access(os.path.join(d, prog), os.X_OK)
               for d in os.environ.get("PATH", "/usr/bin").split(":"))


def run_workload(w, probers):
    """Alternating windows: each rep runs every prober once, in an order
    rotated by rep, so drift over time hits every column alike."""
    res = {p.name: [] for p in probers}
    extra = {p.name: [] for p in probers}
    time.sleep(1)  # warm up
    for rep in range(ARGS.reps):
        order = probers[rep % len(probers):] + probers[:rep % len(probers)]
        for cls in order:
            pr = cls(w.pid, w.exe)
            if not pr.start():
                continue
            time.sleep(0.3)
            pr.window_begin()
            v = w.measure(ARGS.window)
            e = pr.window_end(ARGS.window)
            e.update({k: x for k, x in pr.stop().items() if x is not None})
            if v is not None:
                res[cls.name].append(v)
                extra[cls.name].append(e)
    return res, extra


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt_rate(x):
    if x is None:
        return "-"
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.2f}{unit}/s"
    return f"{x:.0f}/s"


# ---- pipeline figures --------------------------------------------------------


def floor_cost():
    """ns an emulated uprobe hit (PUSHQ BP, counting program) costs here."""
    bare, probed = [], []
    for _ in range(3):
        r = subprocess.run([ARGS.floor, "2000000"], capture_output=True, text=True)
        bare.append(float(r.stdout.split()[1]))
        r = subprocess.run(["bpftrace", "-e", f"uprobe:{ARGS.floor}:floor_push {{ @ = count(); }}",
                            "-c", f"{ARGS.floor} 500000"], capture_output=True, text=True)
        m = re.search(r"ns_per_call ([\d.]+)", r.stdout)
        if m:
            probed.append(float(m.group(1)))
    if not probed:
        die("bpftrace could not probe bench_floor")
    return med(probed) - med(bare)


def ingest_rate(tmp):
    """Records/s through gtable on one core, replaying a recording of the
    churn workload (probes on full time: a long stream to time)."""
    w = OpsWorkload("churn", 1)
    rec = os.path.join(tmp, "churn.rec")
    try:
        r = subprocess.run([ARGS.linger, "-p", str(w.pid), "-d", "1s", "--json",
                            "--probe-budget", "0", "--record", rec],
                           capture_output=True, text=True, timeout=60)
    finally:
        w.stop()
    if not os.path.exists(rec):
        die("linger --record wrote nothing: " + r.stderr.strip())
    runs = []
    for _ in range(3):
        r = subprocess.run([ARGS.ingest, rec, "1"], capture_output=True, text=True)
        m = re.search(r"records_per_s (\d+)", r.stdout)
        if m:
            runs.append(int(m.group(1)))
    n = os.path.getsize(rec)
    os.unlink(rec)
    return med(runs), n


def mem_per_goroutine():
    """linger's peak memory (VmHWM) with a target of 1M parked goroutines,
    against one of 1k: (bytes total / tracked, marginal bytes per tracked)."""
    res = {}
    for count in (1000, 1000000):
        t = Proc([ARGS.faults, "-mode", "park", "-count", str(count), "-leak-every", "0"])
        if not t.wait_line(r"^ready", 180):
            t.stop(signal.SIGKILL)
            die(f"faults -count {count} never printed ready")
        l = Proc([ARGS.linger, "-p", str(t.pid), "-d", "3s", "--json"])
        hwm = 0
        while l.proc.poll() is None:
            hwm = max(hwm, vm_kib(l.pid, "VmHWM"))
            time.sleep(0.05)
        l.stop()
        t.stop(signal.SIGKILL)
        reps = [json.loads(x) for x in l.out if x.startswith("{")]
        if not reps:
            die(f"linger made no report on faults -count {count}: {' | '.join(l.err[-2:])}")
        res[count] = (hwm * 1024, reps[0]["live"], reps[0]["evictions"])
    (h0, n0, _), (h1, n1, ev) = res[1000], res[1000000]
    return h1 / n1, (h1 - h0) / (n1 - n0), n1, ev


def prometheus_first_report(tmp):
    """Seconds from starting `linger -p` to its first JSON report, on
    Debian's prometheus server (median of 3)."""
    exe = ARGS.prometheus
    if not exe:
        return None, "no prometheus binary (scripts/bench.sh fetches Debian's)"
    cfg = os.path.join(tmp, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n"
                "  - job_name: self\n    static_configs:\n"
                f"      - targets: ['127.0.0.1:{(port := free_port())}']\n")
    p = Proc([exe, "--config.file", cfg, "--storage.tsdb.path", os.path.join(tmp, "tsdb"),
              "--web.listen-address", f"127.0.0.1:{port}"])
    try:
        if not p.wait_line(r"Server is ready to receive web requests", 60, "err"):
            return None, "prometheus did not start: " + " | ".join(p.err[-2:])
        time.sleep(1)
        times = []
        for _ in range(3):
            t0 = time.monotonic()
            l = Proc([ARGS.linger, "-p", str(p.pid), "--json", "-i", "100ms"])
            line = l.wait_line(r"^\{", 60)
            t = time.monotonic() - t0
            l.stop()
            if line:
                times.append(t)
        size = os.path.getsize(exe)
        return med(times), f"{size / 2**20:.0f} MB binary, refresh -i 100ms"
    finally:
        p.stop(signal.SIGTERM)


# ---- main ----------------------------------------------------------------------


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="the build directory")
    ap.add_argument("--prometheus", default="", help="a prometheus binary")
    ap.add_argument("--reps", type=int, default=5, help="windows per prober (default 5)")
    ap.add_argument("--window", type=int, default=8,
                    help="seconds per window (default 8: two of linger's duty-cycle "
                    "periods at the longest)")
    ap.add_argument("--conns", type=int, default=16, help="wrk connections (default 16)")
    ap.add_argument("--workloads", default="pingpong,churn,gc,http,etcd")
    ap.add_argument("--no-park-probe", action="store_true",
                    help="skip the runs of linger --park-probe (every park event)")
    ap.add_argument("--skip-pipeline", action="store_true")
    ARGS = ap.parse_args()
    b = ARGS.build
    ARGS.linger, ARGS.load = f"{b}/linger", f"{b}/bench/load"
    ARGS.floor, ARGS.ingest, ARGS.faults = f"{b}/bench/bench_floor", f"{b}/bench/bench_ingest", \
        f"{b}/targets/faults"
    ARGS.syms = f"{b}/bench/bench_syms"
    if os.geteuid() != 0:
        die("run as root: linger and bpftrace load BPF programs")
    for prog in ("bpftrace", "wrk", "bpftool"):
        if not have(prog):
            die(f"{prog} not found: run scripts/setup.sh")
    for f in (ARGS.linger, ARGS.load, ARGS.floor, ARGS.ingest, ARGS.faults, ARGS.syms):
        if not os.access(f, os.X_OK):
            die(f"{f} missing: run scripts/build.sh")
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        stats_was = f.read().strip()
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1")
    try:
        run_all()
    finally:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(stats_was)


def run_all():
    t_start = time.monotonic()
    rows = []  # (figure, value, target)
    floor = floor_cost()
    print(f"emulated-uprobe floor: {floor:.0f} ns per hit (PUSHQ BP, bpftrace count)", flush=True)
    probers = [Unprobed, Linger, Bpftrace]
    if not ARGS.no_park_probe:
        probers.insert(2, LingerParkAll)
    makers = {"pingpong": lambda: OpsWorkload("pingpong", 1),
              "churn": lambda: OpsWorkload("churn", 1),
              "gc": lambda: OpsWorkload("gc", 1),
              "http": HttpWorkload,
              "etcd": EtcdWorkload}
    targets = {"pingpong": 0.9, "churn": 0.6, "http": 0.97, "etcd": 0.97}
    if not have("etcd"):
        NOTES.append("etcd not found (Debian etcd-server): etcd skipped")
    print(f"\n{'workload':32} {'prober':20} {'throughput':>11} {'ratio':>6} {'target':>7} "
          f"{'CPU':>6} {'events':>10} {'drops':>6}")
    percost = {}
    for name in ARGS.workloads.split(","):
        if name == "etcd" and not have("etcd"):
            continue
        # The gc workload is there for the GC probe's cost: no peer to
        # compare with, and no throughput target.
        ps = [Unprobed, Linger] if name == "gc" else probers
        w = makers[name]()
        try:
            res, extra = run_workload(w, ps)
        finally:
            w.stop()
        base = med(res["unprobed"])
        for cls in ps:
            v = med(res[cls.name])
            ratio = v / base if v and base else None
            ex = extra[cls.name]
            cpu = med([e.get("cpu") for e in ex])
            ev = med([e.get("events") for e in ex])
            drops = sum(e.get("drops", 0) or 0 for e in ex) if cls in (Linger, LingerParkAll) \
                else None
            tgt = f">={targets[name]}" if cls is Linger and name in targets else ""
            print(f"{w.label:32} {cls.name:20} {fmt_rate(v):>11} "
                  f"{(f'{ratio:.3f}' if ratio else '-'):>6} {tgt:>7} "
                  f"{(f'{cpu * 100:.0f}%' if cpu is not None and cls is not Unprobed else ''):>6} "
                  f"{(fmt_rate(ev) if ev is not None else ''):>10} "
                  f"{(str(drops) if drops is not None else ''):>6}", flush=True)
            if cls is Linger and name in targets:
                rows.append((f"{name}: throughput with linger / unprobed",
                             f"{ratio:.3f}" if ratio else "-", f">= {targets[name]}"))
            if cls in (Linger, LingerParkAll):
                rows.append((f"{name}: drops ({cls.name}, {len(ex)} windows)", str(drops), "0"))
            # Program times from the one-thread workloads only, where the
            # other core is free: on a saturated machine they measure
            # contention too. Summed over their windows, each program's
            # time over its hits: the GC probe's come mostly from the gc
            # workload (a few a second elsewhere, each with cold caches).
            if cls in (Linger, LingerParkAll) and ex and name in ONE_THREAD:
                for e in ex:
                    for k, x in e.items():
                        if k.startswith("progcnt_"):
                            acc = percost.setdefault((cls.name, k[8:]), [0, 0])
                            acc[0] += e["progtot_" + k[8:]]
                            acc[1] += x
            # End-to-end cost per hit, where the target is one busy thread
            # (GOMAXPROCS=1): the time each op gained over the hits per op.
            if name in ONE_THREAD and cls is not Unprobed and v and base:
                hits = med([e.get("events") for e in ex])
                if hits and hits / v > 0.01:
                    per_hit = (1 / v - 1 / base) / (hits / v) * 1e9
                    cost = f"{per_hit:.0f} ns" if per_hit > 0 else "below the noise"
                    print(f"{'':32} {'':20} end to end: {cost} per probe hit "
                          f"({hits / v:.2f} hits per op)")
    print()
    for (who, prog), (ns, cnt) in sorted(percost.items()):
        # A few hundred hits are cold ones (the GC probe where no gc
        # workload ran with that prober): not a per-hit cost.
        if cnt < 10000:
            continue
        cost = floor + ns / cnt
        rows.append((f"{prog} probe cost per hit ({who}): floor + BPF program {ns / cnt:.0f} ns "
                     f"({cnt} hits)", f"{cost:.0f} ns = {cost / floor:.2f}x floor", "<= 2x floor"))
    if not ARGS.skip_pipeline:
        with tempfile.TemporaryDirectory(prefix="linger-bench-") as tmp:
            rate, size = ingest_rate(tmp)
            rows.append((f"ingest, one core (replay of {size / 2**20:.0f} MiB churn recording)",
                         fmt_rate(rate), ">= 5M/s"))
            per, marginal, n, ev = mem_per_goroutine()
            rows.append((f"linger memory per tracked goroutine ({n} tracked, {ev} evicted), "
                         "marginal 1k->1M", f"{marginal:.0f} B", "<= 100 B"))
            rows.append(("linger memory per tracked goroutine, VmHWM / tracked",
                         f"{per:.0f} B", ""))
            t, what = prometheus_first_report(tmp)
            rows.append((f"first report after `linger -p` on prometheus ({what})",
                         f"{t:.2f} s" if t else "-", "< 1 s"))
    rows.append(("emulated-uprobe floor (PUSHQ BP)", f"{floor:.0f} ns", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':{width}}  {'value':>24}  target")
    for fig, val, tgt in rows:
        print(f"{fig:{width}}  {val:>24}  {tgt}")
    for n in NOTES:
        print(f"note: {n}")
    print(f"(bench took {time.monotonic() - t_start:.0f} s; "
          f"{ARGS.reps} windows of {ARGS.window} s per prober; medians)")


if __name__ == "__main__":
    main()
