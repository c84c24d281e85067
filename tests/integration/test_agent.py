#!/usr/bin/env python3
"""Agent mode (`linger --all`) against real Go services, scraped by a real
Prometheus server.

Three services run from copies of the test programs in a private
directory (two processes of `healthy`, one `mixed`, which leaks); the
agent follows only that directory (--exe), so other Go programs on the
machine are left alone, and the copies have their own inodes, so the
shared probes touch no other process. Debian's `prometheus` scrapes the
agent every second; the test asks Prometheus's HTTP API for the leak
series, starts a fourth service (`leakysvc`, leaking) and stops one
`healthy`, and checks the agent follows both changes. A second test runs
the agent with only the capabilities it documents, then with each one of
them missing."""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from harness import Target, require_root, run_tests

ARGS = None
# The least privilege, by kernel: CAP_BPF and CAP_PERFMON load the
# programs and attach the probes from Linux 5.8; kernels from 2025 on want
# CAP_SYS_ADMIN for uprobes again (which also stands for the other two).
# CAP_SYS_PTRACE reads the targets' executables and memory.
CAP_SETS = (("cap_bpf", "cap_perfmon", "cap_sys_ptrace"), ("cap_sys_admin", "cap_sys_ptrace"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_for(what, fn, timeout):
    """Polls fn until it returns something true; fails naming what."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except OSError as e:  # not listening yet, 503 before the first scan
            last = e
        else:
            if last:
                return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


class Agent:
    """linger --all in the background, its JSON lines collected."""

    def __init__(self, args, wrapper=()):
        self.out = tempfile.TemporaryFile("w+")
        self.err = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen([*wrapper, ARGS.linger, "--all", *args],
                                     stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=self.err, text=True)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def lines(self):
        self.out.seek(0)
        return [json.loads(l) for l in self.out.read().splitlines() if l.startswith("{")]

    def stderr(self):
        self.err.seek(0)
        return self.err.read()


class Prometheus:
    """Debian's prometheus server scraping one target every second, with
    its own data directory and port."""

    def __init__(self, workdir, target):
        self.port = free_port()
        cfg = os.path.join(workdir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: linger\n"
                    f"    static_configs:\n      - targets: ['{target}']\n")
        self.log = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [shutil.which("prometheus") or "/usr/bin/prometheus", f"--config.file={cfg}",
             f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        wait_for("prometheus ready",
                 lambda: http_get(f"http://127.0.0.1:{self.port}/-/ready")[0] == 200, 60)

    def query(self, q):
        """The instant vector of q as {frozenset(labels): value}."""
        url = (f"http://127.0.0.1:{self.port}/api/v1/query?"
               + urllib.parse.urlencode({"query": q}))
        _, body = http_get(url)
        r = json.loads(body)
        assert r["status"] == "success", r
        return {frozenset(s["metric"].items()): float(s["value"][1])
                for s in r["data"]["result"]}

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def copy_targets(workdir, names):
    os.makedirs(os.path.join(workdir, "bin"), exist_ok=True)
    for n in names:
        shutil.copy2(os.path.join(ARGS.targets, n), os.path.join(workdir, "bin", n))
    return os.path.join(workdir, "bin")


def labels(key):
    return dict(key)


def test_prometheus_scrapes_three_services():
    work = tempfile.mkdtemp(prefix="linger-agent-")
    bindir = copy_targets(work, ["healthy", "mixed", "leakysvc"])
    port = free_port()
    services, agent, prom = [], None, None
    try:
        agent = Agent(["--listen", f"127.0.0.1:{port}", "--json", "--exe", f"{bindir}/*",
                       "--attach-delay", "500ms"])
        # The agent is up once /metrics answers 200 (503 until the first
        # scan is done): what the DaemonSet's readiness probe checks.
        wait_for("agent /metrics",
                 lambda: http_get(f"http://127.0.0.1:{port}/metrics")[0] == 200, 30)
        # mixed loses its lock 3 s after start: started after the agent,
        # its lock leak is seen with exits before it, as `leak`.
        healthy_a = Target(os.path.join(bindir, "healthy"), "-duration", "300s")
        healthy_b = Target(os.path.join(bindir, "healthy"), "-duration", "300s")
        mixed = Target(os.path.join(bindir, "mixed"), "-duration", "300s")
        services += [healthy_a, healthy_b, mixed]
        prom = Prometheus(work, f"127.0.0.1:{port}")

        def attached(pids):
            got = prom.query("linger_process_info")
            return {labels(k)["pid"] for k in got} >= {str(p) for p in pids}

        wait_for("three services in Prometheus",
                 lambda: attached([healthy_a.pid, healthy_b.pid, mixed.pid]), 60)
        mixed_leak = f'linger_site_suspects{{pid="{mixed.pid}",go_site=~"main.leakTimeout .*"}}'
        wait_for("suspects > 0 for mixed's leaking site",
                 lambda: any(v > 0 for v in prom.query(mixed_leak).values()), 60)
        got = prom.query("linger_binaries_probed")
        assert list(got.values()) == [2.0], f"two binaries, probes shared: {got}"

        # A fourth service, started later, is followed and its leak found.
        leaky = Target(os.path.join(bindir, "leakysvc"), "-duration", "300s")
        services.append(leaky)
        wait_for("the fourth service followed", lambda: attached([leaky.pid]), 30)
        leaky_leak = (f'linger_site_suspects{{pid="{leaky.pid}",'
                      'go_site=~"main.searchBackends .*"}')
        wait_for("suspects > 0 for leakysvc's leaking site",
                 lambda: any(v > 0 for v in prom.query(leaky_leak).values()), 60)

        # Stopping one copy of healthy: forgotten, the other copy followed on
        # with the binary's probes, which they shared.
        healthy_b.stop()
        wait_for("the stopped service forgotten",
                 lambda: not prom.query(f'linger_process_info{{pid="{healthy_b.pid}"}}'), 30)
        assert prom.query(f'linger_process_info{{pid="{healthy_a.pid}"}}'), \
            "the other copy of healthy is still followed"
        assert list(prom.query("linger_processes_exited_total").values()) == [1.0]
        assert list(prom.query("linger_binaries_probed").values()) == [3.0]
        assert list(prom.query("linger_processes_attached").values()) == [3.0]
        assert list(prom.query("linger_drops_total").values()) == [0.0]

        # No healthy site ever had settled suspects (what the leak rule
        # counts; linger_site_suspects also counts a slow tail's goroutines
        # for the second they are past the threshold), nor was called a leak.
        healthy_funcs = healthy_a.healthy | mixed.healthy
        assert healthy_funcs, "the targets name their healthy sites"
        site_re = "|".join(f"{f} .*" for f in sorted(healthy_funcs))
        bad = prom.query(
            f'max_over_time(linger_site_settled_suspects{{go_site=~"{site_re}"}}[10m]) > 0')
        assert not bad, f"healthy sites with settled suspects: {bad}"
        bad = prom.query(
            f'max_over_time(linger_site_verdict{{go_site=~"{site_re}",verdict="leak"}}[10m]) > 0')
        assert not bad, f"healthy sites called leak: {bad}"
        settled = prom.query(f'linger_site_settled_suspects{{pid="{mixed.pid}",'
                             'go_site=~"main.leakTimeout .*"}')
        assert any(v > 0 for v in settled.values()), f"leak without settled suspects: {settled}"

        def leak_verdicts():
            got = prom.query('linger_site_verdict{verdict="leak"} == 1')
            return {(labels(k)["pid"], labels(k)["go_site"].split()[0]) for k in got}

        wait_for("leak verdicts for both leaking services",
                 lambda: {(str(mixed.pid), "main.leakTimeout"),
                          (str(leaky.pid), "main.searchBackends")} <= leak_verdicts(), 60)

        # The log stream: attaches, the detach, the leak verdicts.
        status = agent.stop()
        assert status == 0, f"agent exit {status}: {agent.stderr()}"
        lines = agent.lines()
        events = [(l["event"], l["pid"]) for l in lines]
        for t in services:
            assert ("attach", t.pid) in events, f"no attach line for {t.pid}: {events}"
        assert any(l["event"] == "detach" and l["pid"] == healthy_b.pid
                   and l["reason"] == "exited" for l in lines), events
        leaks = {(l["pid"], l["site"]["go_site"]["func"]) for l in lines
                 if l["event"] == "site" and l["verdict"] == "leak"}
        assert (mixed.pid, "main.leakTimeout") in leaks, leaks
        assert (leaky.pid, "main.searchBackends") in leaks, leaks
        assert not any(f in healthy_funcs for _, f in leaks), leaks
    finally:
        if agent:
            agent.stop()
        if prom:
            prom.stop()
        for t in services:
            t.stop()
        shutil.rmtree(work, ignore_errors=True)


def cgroup2_root():
    with open("/proc/mounts") as f:
        for line in f:
            dev, path, fstype = line.split()[:3]
            if fstype == "cgroup2":
                return path
    raise AssertionError("no cgroup2 hierarchy mounted: the container test needs one")


def test_container_process():
    """A process as a container runtime starts it: in a cgroup named after
    its container id, its binary on a mount only its own mount namespace
    has. The agent finds it at exec, follows it through /proc/PID/exe, labels
    it with the container id and finds its leak."""
    cid = "c0ffee" + "0123456789abcdef" * 3 + "0123456789"
    cgroup = os.path.join(cgroup2_root(), f"linger-test-docker-{cid}.scope")
    port = free_port()
    agent = None
    os.mkdir(cgroup)
    try:
        with tempfile.TemporaryDirectory() as d:
            agent = Agent(["--listen", f"127.0.0.1:{port}", "--json", "--exe", f"{d}/*",
                           "--attach-delay", "200ms"])
            url = f"http://127.0.0.1:{port}/metrics"
            wait_for("agent /metrics", lambda: http_get(url)[0] == 200, 30)
            inner = (f"mount -t tmpfs none {d} && cp {os.path.join(ARGS.targets, 'mixed')} "
                     f"{d}/mixed && exec {d}/mixed -duration 120s")
            outer = (f"echo $$ > {cgroup}/cgroup.procs && exec unshare --mount --propagation "
                     f"private --fork sh -c '{inner}'")
            with Target("sh", "-c", outer) as t:
                assert not os.path.exists(os.path.join(d, "mixed"))
                pid = t.ready_pid

                def leak_series():
                    text = http_get(url)[1]
                    want = (f'linger_site_verdict{{pid="{pid}",exe="{d}/mixed",'
                            f'container="{cid}",start_func="main.leakTimeout.func1",')
                    return [l for l in text.splitlines()
                            if l.startswith(want) and l.endswith('verdict="leak"} 1')]

                wait_for("the container's leak, labelled with its id", leak_series, 60)
            assert agent.stop() == 0, agent.stderr()
            attach = [l for l in agent.lines() if l["event"] == "attach" and l["pid"] == pid]
            assert attach and attach[0]["container"] == cid, agent.lines()[:5]
            assert attach[0]["cgroup"].endswith(f"/linger-test-docker-{cid}.scope"), attach
    finally:
        if agent:
            agent.stop()
        os.rmdir(cgroup)


def metric(text, name):
    """The value of an unlabelled series, or of name{labels} given whole."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no {name} in /metrics")


def test_max_procs_and_bad_input():
    """--max-procs 1 with two Go services: one followed, the other counted
    as a limit failure; bad options and a taken port: one line, exit 2."""
    work = tempfile.mkdtemp(prefix="linger-limit-")
    bindir = copy_targets(work, ["healthy"])
    port = free_port()
    agent = None
    try:
        with Target(os.path.join(bindir, "healthy"), "-duration", "60s"), \
                Target(os.path.join(bindir, "healthy"), "-duration", "60s"):
            agent = Agent(["--listen", f"127.0.0.1:{port}", "--exe", f"{bindir}/*",
                           "--max-procs", "1"])
            url = f"http://127.0.0.1:{port}/metrics"
            text = wait_for("agent /metrics", lambda: http_get(url)[1], 30)
            assert metric(text, "linger_processes_attached") == 1, text
            assert metric(text, 'linger_attach_failures_total{reason="limit"}') == 1, text
            # The port is taken now: a second agent says so and stops.
            other = Agent(["--listen", f"127.0.0.1:{port}", "--exe", f"{bindir}/*"])
            other.proc.wait(30)
            assert other.proc.returncode == 2, other.stderr()
            assert other.stderr().strip() == \
                f"linger: cannot listen on 127.0.0.1:{port}: Address already in use", \
                other.stderr()
            assert agent.stop() == 0, agent.stderr()
        for args, says in ((["--listen", "localhost:1"], "invalid --listen"),
                           (["--max-procs", "0"], "invalid --max-procs"),
                           (["-p", "1"], "-p and --all exclude each other")):
            bad = Agent(args)
            bad.proc.wait(30)
            assert bad.proc.returncode == 2 and says in bad.stderr(), (args, bad.stderr())
        run = subprocess.run([ARGS.linger, "-p", "1", "--exe", "x"], capture_output=True,
                             text=True, timeout=30)
        assert run.returncode == 2 and "--exe needs --all" in run.stderr, run.stderr
    finally:
        if agent:
            agent.stop()
        shutil.rmtree(work, ignore_errors=True)


def bounding_set():
    out = subprocess.run(["capsh", "--print"], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        if line.startswith("Bounding set ="):
            return line.split("=", 1)[1].strip().split(",")
    raise AssertionError(f"no bounding set in capsh --print: {out!r}")


def test_least_privilege():
    """With only the capabilities linger documents for this kernel (every
    other one dropped by capsh, root's included), the agent attaches and
    finds the leak; with any one of them missing it exits 2 naming it."""
    work = tempfile.mkdtemp(prefix="linger-caps-")
    bindir = copy_targets(work, ["mixed"])
    bounding = bounding_set()

    def without(caps):
        # capsh drops caps from the bounding set, then bash exec's linger
        # (its $0), which gets no more than that set.
        return ["capsh", f"--drop={','.join(caps)}", "--", "-c", 'exec "$0" "$@"']

    try:
        with Target(os.path.join(bindir, "mixed"), "-duration", "120s") as mixed:
            tried = []
            for needed in CAP_SETS:
                others = [c for c in bounding if c not in needed]
                agent = Agent(["--listen", "none", "--json", "--exe", f"{bindir}/*", "-d", "12s",
                               "--attach-delay", "0"], without(others))
                agent.proc.wait(60)
                tried.append((needed, agent.proc.returncode, agent.stderr()))
                if agent.proc.returncode == 0:
                    break
                # Only the kernel's uprobe rule may send us to the next set.
                assert "missing capability CAP_SYS_ADMIN" in agent.stderr(), tried
            else:
                raise AssertionError(f"no documented capability set works: {tried}")
            print(f"least privilege here: {', '.join(needed)}")
            lines = agent.lines()
            assert any(l["event"] == "attach" and l["pid"] == mixed.pid for l in lines), \
                f"not attached with {needed}: {agent.stderr()}"
            assert any(l["event"] == "site" and l["verdict"] == "leak" and l["pid"] == mixed.pid
                       for l in lines), f"no leak found with {needed}: {lines}"
            for cap in needed:
                others = [c for c in bounding if c not in needed]
                agent = Agent(["--listen", "none", "--exe", f"{bindir}/*", "-d", "3s"],
                              without(others + [cap]))
                agent.proc.wait(60)
                err = agent.stderr()
                assert agent.proc.returncode == 2, f"without {cap}: exit {agent.proc.returncode}"
                assert "missing capability" in err and cap.upper() in err, \
                    f"without {cap}: {err!r}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "deploy")


def deploy_capability_sets():
    """The capability sets the deployment files grant, as capsh names."""
    import yaml  # python3-yaml

    sets = {}
    with open(os.path.join(DEPLOY, "linger.service")) as f:
        unit = f.read()
    for line in unit.splitlines():
        if line.startswith("CapabilityBoundingSet="):
            sets["linger.service"] = tuple(c.lower() for c in line.split("=", 1)[1].split())
    with open(os.path.join(DEPLOY, "linger-daemonset.yaml")) as f:
        docs = list(yaml.safe_load_all(f))
    ds = next(d for d in docs if d["kind"] == "DaemonSet")
    pod = ds["spec"]["template"]["spec"]
    assert pod["hostPID"] is True
    c = pod["containers"][0]
    assert c["readinessProbe"]["httpGet"]["path"] == "/metrics"
    assert c["resources"]["limits"]["memory"] and c["resources"]["limits"]["cpu"]
    assert any(v["hostPath"]["path"] == "/sys/kernel/btf" for v in pod["volumes"])
    caps = c["securityContext"]["capabilities"]
    assert caps["drop"] == ["ALL"], caps
    sets["linger-daemonset.yaml"] = tuple("cap_" + a.lower() for a in caps["add"])
    return unit, sets


def test_deploy_files():
    """The systemd unit passes systemd-analyze verify, and the agent runs
    with exactly the capabilities each deployment file grants: attached,
    the leak found."""
    unit, sets = deploy_capability_sets()
    assert set(sets) == {"linger.service", "linger-daemonset.yaml"}, sets
    work = tempfile.mkdtemp(prefix="linger-deploy-")
    try:
        # The unit as installed, pointing at the built binary.
        path = os.path.join(work, "linger.service")
        with open(path, "w") as f:
            f.write(unit.replace("/usr/local/bin/linger", os.path.abspath(ARGS.linger)))
        run = subprocess.run(["systemd-analyze", "verify", path], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0 and not run.stderr.strip(), run.stderr
        bindir = copy_targets(work, ["mixed"])
        bounding = bounding_set()
        with Target(os.path.join(bindir, "mixed"), "-duration", "120s") as mixed:
            for name, caps in sets.items():
                others = [c for c in bounding if c not in caps]
                agent = Agent(["--listen", "none", "--json", "--exe", f"{bindir}/*", "-d", "10s",
                               "--attach-delay", "0"],
                              ["capsh", f"--drop={','.join(others)}", "--", "-c",
                               'exec "$0" "$@"'])
                agent.proc.wait(60)
                assert agent.proc.returncode == 0, (name, agent.stderr())
                lines = agent.lines()
                assert any(l["event"] == "site" and l["verdict"] == "leak"
                           and l["pid"] == mixed.pid for l in lines), (name, agent.stderr())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--linger", required=True)
    p.add_argument("--targets", required=True)
    ARGS = p.parse_args()
    require_root()
    missing = [t for t in ("prometheus", "capsh", "systemd-analyze") if not shutil.which(t)]
    if missing:
        print(f"needs {', '.join(missing)} (Debian's prometheus, libcap2-bin, systemd): "
              "run scripts/setup.sh", file=sys.stderr)
        sys.exit(1)
    run_tests([test_prometheus_scrapes_three_services, test_max_procs_and_bad_input,
               test_container_process, test_least_privilege, test_deploy_files])


if __name__ == "__main__":
    main()
