#!/usr/bin/env python3
"""score.py: how well linger finds the leaks of the leak corpus.

Builds every program of the tests/corpus module (its main packages, with
Go 1.19 by default), runs each one, attaches linger to it for --duration
with --json, and compares linger's final report with the ground truth the
program prints. Prints one row per program and a TOTAL row, then the
details of every leak site and of every site flagged by mistake.

Definitions (per program; TOTAL adds the counts up):

  leaked     goroutines stuck forever at the end: the program's last
             `truth <unix-ms> <func> <n>` line before linger's final report
             arrived, plus the `leak <unix-ms> <func>` lines printed
             between the two, summed over its leak sites. It includes
             goroutines that leaked before linger attached (`pre` in the
             details), which linger finds in runtime.allgs at attach.
  flagged    from linger's final report: the `suspects` of every site whose
             verdict is `leak`, plus the `live` of every site whose verdict
             is `growing` (such a site has no lifetimes to single out
             suspects, so all its live goroutines are its finding).
  hit        per leak site, min(flagged at the site, leaked at the site),
             summed. Sites are matched by go_site.func, so the two go
             statements of one function (net/http's readLoop and writeLoop
             in (*Transport).dialConn) count as one site.
  recall     hit / leaked.
  precision  hit / flagged (flagged includes the goroutines of false sites).
  false      sites (distinct go_site func:line) whose verdict is `leak` or
             `growing` in any report of the run although they are not leak
             sites: healthy sites, plumbing, net/http's own.
  ttf        time to flag, per leak site: from its first `leak` line after
             linger attached to the first report in which the site is
             flagged (`leak` or `growing`). med and max over leak sites.
             Report times are linger's attach time plus elapsed_ns; the
             attach time is taken from the arrival of the reports.

--check makes the exit status 1 when the TOTAL recall is below 0.95, the
TOTAL precision below 0.99, any site is flagged falsely, any leak site took
longer to flag than its threshold crossing plus 10 s (first leak +
threshold_ns + 10 s; a site never flagged fails once that much time had
passed before the end of the run), or any run failed (a program that never
got ready or did not exit 0 on SIGTERM, linger exiting 2 or printing no
final report). Without --check the exit status is 0 whatever the scores;
2 means nothing could be scored (no linger binary, a corpus that does not
build).

Needs root (linger attaches BPF programs). Python 3 standard library only.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "tests", "corpus")
FLAGGED = ("leak", "growing")


def parse_duration(s):
    """'30s', '2m', '1m30s', '500ms' or a bare number of seconds."""
    s = s.strip()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h)", s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]
        pos = m.end()
    if pos != len(s) or pos == 0:
        raise argparse.ArgumentTypeError(f"not a duration: {s!r}")
    return total


def default_goroot():
    if os.path.isfile("/usr/lib/go-1.19/bin/go"):
        return "/usr/lib/go-1.19"
    go = shutil.which("go")
    if go:
        out = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return None


def go_env():
    """The environment of every go command on the corpus: the module's own
    go.mod only (no workspace, no download, no toolchain switch)."""
    env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GO111MODULE="on", GOWORK="off")
    env.pop("GOROOT", None)
    return env


def corpus_programs(goroot):
    """The programs of the corpus module: its main packages, each named
    after its directory. Raises SystemExit when go list fails."""
    go = os.path.join(goroot, "bin", "go")
    p = subprocess.run([go, "list", "-f", "{{.Name}} {{.Dir}}", "./..."], cwd=CORPUS,
                       capture_output=True, text=True, env=go_env())
    if p.returncode != 0:
        raise SystemExit(f"score.py: go list in {CORPUS} failed:\n{p.stderr}")
    return sorted(os.path.relpath(d, CORPUS) for name, d in
                  (line.split(" ", 1) for line in p.stdout.splitlines() if line)
                  if name == "main")


def build(goroot, names, outdir):
    """Builds the programs in one go build (they share the module and its
    truth package); returns {name: binary}. Raises SystemExit when the
    build fails."""
    go = os.path.join(goroot, "bin", "go")
    env = go_env()
    ver = subprocess.run([go, "version"], capture_output=True, text=True, env=env)
    print(f"building {len(names)} programs with {ver.stdout.strip() or go}", file=sys.stderr)
    # With -o naming a directory, go build writes each main package there,
    # named after the last element of its import path: the program's name.
    p = subprocess.run([go, "build", "-o", outdir + os.sep, *("./" + n for n in names)],
                       cwd=CORPUS, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"score.py: the corpus does not build:\n{p.stderr}")
    return {n: os.path.join(outdir, os.path.basename(n)) for n in names}


class Lines:
    """Reads a pipe in a thread, keeping each line with its arrival time."""

    def __init__(self, pipe, on_line=None):
        self.lines = []
        self.on_line = on_line
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe):
        for line in pipe:
            now = time.time()
            self.lines.append((now, line))
            if self.on_line:
                self.on_line(line)


def site_func(s):
    return (s.get("go_site") or {}).get("func") or "?"


def site_key(s):
    g = s.get("go_site") or {}
    return f"{g.get('func') or '?'}:{g.get('line') or 0}"


def flagged_count(s):
    if s.get("verdict") == "leak":
        return int(s.get("suspects") or 0)
    if s.get("verdict") == "growing":
        return int(s.get("live") or 0)
    return 0


def run_one(name, binary, args):
    """Runs one program with linger attached; returns the raw material."""
    res = {"name": name, "errors": []}
    ready = threading.Event()
    prog = subprocess.Popen([binary, "-duration", f"{int(args.duration + 120)}s"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    out = Lines(prog.stdout, lambda l: l.startswith("ready ") and ready.set())
    err = Lines(prog.stderr)
    linger_run = None
    try:
        if not ready.wait(30):
            res["errors"].append("program never printed ready")
            return res
        time.sleep(args.attach_delay)
        cmd = [args.linger, "-p", str(prog.pid), "--duration", f"{args.duration:g}s", "--json",
               *args.linger_arg]
        lg = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        lout = Lines(lg.stdout)
        lerr = Lines(lg.stderr)
        try:
            status = lg.wait(args.duration + 60)
        except subprocess.TimeoutExpired:
            lg.kill()
            status = lg.wait()
            res["errors"].append("linger overran its --duration by 60 s and was killed")
        lout.thread.join(5)
        lerr.thread.join(5)
        linger_run = (status, lout.lines, "".join(l for _, l in lerr.lines))
    finally:
        if prog.poll() is None:
            prog.send_signal(signal.SIGTERM)
            try:
                prog.wait(10)
            except subprocess.TimeoutExpired:
                prog.kill()
                prog.wait()
                res["errors"].append("program ignored SIGTERM for 10 s and was killed")
        out.thread.join(5)
        err.thread.join(5)
        if prog.returncode not in (0, None) and not any("killed" in e for e in res["errors"]):
            res["errors"].append(f"program exited {prog.returncode} on SIGTERM")
    res["program_lines"] = out.lines
    res["program_stderr"] = "".join(l for _, l in err.lines)[-2000:]
    if linger_run:
        status, lines, lstderr = linger_run
        res["linger_status"] = status
        res["linger_stderr"] = lstderr
        res["reports"] = []
        for t, line in lines:
            line = line.strip()
            if line.startswith("{"):
                try:
                    res["reports"].append((t, json.loads(line)))
                except ValueError:
                    res["errors"].append(f"linger printed bad JSON: {line[:80]!r}")
        if status not in (0, 1):
            res["errors"].append(f"linger exited {status}: {lstderr.strip()[-300:]}")
        if not res["reports"] or not res["reports"][-1][1].get("final"):
            res["errors"].append("linger printed no final report")
    return res


def score(res):
    """Turns one run's raw material into the numbers of its table row."""
    healthy, expect, truth, leaks = set(), {}, [], []
    for _, line in res.get("program_lines", []):
        f = line.split()
        if not f:
            continue
        if f[0] == "healthy" and len(f) >= 2:
            healthy.add(f[1])
        elif f[0] == "expect" and len(f) >= 3:
            expect[f[1]] = f[2]
        elif f[0] == "truth" and len(f) >= 4:
            truth.append((int(f[1]) / 1000.0, f[2], int(f[3])))
        elif f[0] == "leak" and len(f) >= 3:
            leaks.append((int(f[1]) / 1000.0, f[2]))
    sc = {"name": res["name"], "kind": "leak" if expect else "healthy", "expect": expect,
          "errors": list(res["errors"]), "sites": {}, "false_sites": {}, "leaked": 0,
          "flagged": 0, "hit": 0, "ttf": [], "ttf_fail": []}
    reports = res.get("reports") or []
    if not reports:
        return sc
    # linger's elapsed_ns counts from its attach; a report arrives a little
    # after its elapsed time, so the smallest difference is the best guess.
    attach = min(t - r.get("elapsed_ns", 0) / 1e9 for t, r in reports)
    times = [attach + r.get("elapsed_ns", 0) / 1e9 for _, r in reports]
    final = reports[-1][1]
    # The truth "at the end" is taken when the final report arrived: linger
    # may read goroutines a little after the elapsed_ns it stamps, never
    # after the report is out.
    end = max(times[-1], reports[-1][0])
    sc["attach"] = attach
    sc["seconds"] = end - attach

    def truth_at(func, t):
        # The last truth line before t, plus the `leak` lines since: the
        # truth is printed once a second, the leak lines as leaks happen.
        t0, v = float("-inf"), 0
        for ts, f, n in truth:
            if f == func and ts <= t:
                t0, v = ts, n
        return v + sum(1 for ts, f in leaks if f == func and t0 < ts <= t)

    for s in final.get("sites", []):
        sc["flagged"] += flagged_count(s)
    for func, verdict in sorted(expect.items()):
        sites = [s for s in final.get("sites", []) if site_func(s) == func]
        flagged = sum(flagged_count(s) for s in sites)
        leaked = truth_at(func, end)
        first_leak = min((ts for ts, f in leaks if f == func and ts >= attach), default=None)
        first_flag, thr = None, 0.0
        for t, (_, r) in zip(times, reports):
            fl = [s for s in r.get("sites", []) if site_func(s) == func and s.get("verdict") in FLAGGED]
            if fl and (first_leak is None or t >= first_leak):
                first_flag = t
                thr = max(float(s.get("threshold_ns") or 0) for s in fl) / 1e9
                break
        if first_flag is None and sites:
            thr = max(float(s.get("threshold_ns") or 0) for s in sites) / 1e9
        info = {"expect": verdict, "leaked": leaked, "pre_attach": truth_at(func, attach),
                "flagged": flagged, "hit": min(flagged, leaked),
                "verdicts": [s.get("verdict") for s in sites],
                "suspects": sum(int(s.get("suspects") or 0) for s in sites),
                "live": sum(int(s.get("live") or 0) for s in sites),
                "exited": sum(int(s.get("exited") or 0) for s in sites),
                "threshold_s": thr,
                "wait": sorted({s.get("wait_reason") or "-" for s in sites}),
                "first_leak": None if first_leak is None else first_leak - attach,
                "first_flag": None if first_flag is None else first_flag - attach,
                "ttf": None}
        limit = thr + 10.0
        if first_leak is not None:
            if first_flag is not None:
                info["ttf"] = first_flag - first_leak
                sc["ttf"].append(info["ttf"])
                if info["ttf"] > limit:
                    sc["ttf_fail"].append(f"{func}: flagged {info['ttf']:.1f}s after its first leak "
                                          f"(limit {limit:.1f}s)")
            elif end - first_leak > limit:
                sc["ttf_fail"].append(f"{func}: never flagged, first leak {end - first_leak:.1f}s "
                                      f"before the end (limit {limit:.1f}s)")
        sc["sites"][func] = info
        sc["leaked"] += leaked
        sc["hit"] += info["hit"]
    for t, (_, r) in zip(times, reports):
        for s in r.get("sites", []):
            if s.get("verdict") in FLAGGED and site_func(s) not in expect:
                k = site_key(s)
                fs = sc["false_sites"].setdefault(k, {
                    "first": t - attach, "verdicts": set(), "reports": 0, "max_flagged": 0,
                    "healthy_declared": site_func(s) in healthy})
                fs["verdicts"].add(s["verdict"])
                fs["reports"] += 1
                fs["max_flagged"] = max(fs["max_flagged"], flagged_count(s))
                fs["last"] = s
    return sc


def fmt_ratio(num, den):
    return "-" if den == 0 else f"{num / den:.3f}"


def fmt_s(v):
    return "-" if v is None else f"{v:.1f}"


def print_table(scores):
    hdr = ("program", "kind", "leaked", "flagged", "hit", "recall", "precision", "false",
           "ttf med", "ttf max", "notes")
    rows = []
    for sc in scores:
        notes = []
        if sc["errors"]:
            notes.append("ERROR")
        if sc["ttf_fail"]:
            notes.append("slow/missed")
        rows.append((sc["name"], sc["kind"], str(sc["leaked"]), str(sc["flagged"]), str(sc["hit"]),
                     fmt_ratio(sc["hit"], sc["leaked"]), fmt_ratio(sc["hit"], sc["flagged"]),
                     str(len(sc["false_sites"])),
                     fmt_s(statistics.median(sc["ttf"]) if sc["ttf"] else None),
                     fmt_s(max(sc["ttf"]) if sc["ttf"] else None), " ".join(notes)))
    tot = totals(scores)
    rows.append(("TOTAL", "", str(tot["leaked"]), str(tot["flagged"]), str(tot["hit"]),
                 fmt_ratio(tot["hit"], tot["leaked"]), fmt_ratio(tot["hit"], tot["flagged"]),
                 str(tot["false"]), fmt_s(tot["ttf_med"]), fmt_s(tot["ttf_max"]),
                 f"{tot['errors']} errors" if tot["errors"] else ""))
    widths = [max(len(r[i]) for r in rows + [hdr]) for i in range(len(hdr))]
    line = lambda r: "  ".join(c.ljust(w) if i in (0, 1, 10) else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    print(line(hdr))
    print(line(tuple("-" * w for w in widths)))
    for r in rows[:-1]:
        print(line(r))
    print(line(tuple("-" * w for w in widths)))
    print(line(rows[-1]))


def totals(scores):
    ttf = [t for sc in scores for t in sc["ttf"]]
    return {"leaked": sum(sc["leaked"] for sc in scores),
            "flagged": sum(sc["flagged"] for sc in scores),
            "hit": sum(sc["hit"] for sc in scores),
            "false": sum(len(sc["false_sites"]) for sc in scores),
            "ttf_med": statistics.median(ttf) if ttf else None,
            "ttf_max": max(ttf) if ttf else None,
            "errors": sum(len(sc["errors"]) for sc in scores)}


def print_details(scores):
    print()
    print("details (times in seconds since attach; thr = threshold_ns; pre = leaked before attach)")
    for sc in scores:
        print(f"{sc['name']}:")
        for e in sc["errors"]:
            print(f"  ERROR {e}")
        for func, i in sc["sites"].items():
            print(f"  leak site {func} (expect {i['expect']}): verdict {'/'.join(i['verdicts']) or 'unseen'}, "
                  f"suspects {i['suspects']} live {i['live']} exited {i['exited']} thr {i['threshold_s']:.3f}, "
                  f"leaked {i['leaked']} (pre {i['pre_attach']}), flagged {i['flagged']}, "
                  f"first leak {fmt_s(i['first_leak'])}, first flag {fmt_s(i['first_flag'])}, "
                  f"ttf {fmt_s(i['ttf'])}, wait {','.join(i['wait'])}")
        for k, fs in sorted(sc["false_sites"].items()):
            s = fs["last"]
            print(f"  FALSE site {k} ({'declared healthy' if fs['healthy_declared'] else 'not declared'}): "
                  f"{'/'.join(sorted(fs['verdicts']))} in {fs['reports']} reports from {fs['first']:.1f}, "
                  f"up to {fs['max_flagged']} flagged; then suspects {s.get('suspects')} live {s.get('live')} "
                  f"exited {s.get('exited')} mean {int(s.get('mean_ns') or 0) / 1e9:.3f} "
                  f"sd {int(s.get('stddev_ns') or 0) / 1e9:.3f} thr {int(s.get('threshold_ns') or 0) / 1e9:.3f} "
                  f"oldest {int(s.get('oldest_ns') or 0) / 1e9:.1f} wait {s.get('wait_reason')} "
                  f"start {s.get('start_func')}")
        for f in sc["ttf_fail"]:
            print(f"  SLOW {f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the module docstring (head -60 scripts/score.py) for the "
                                        "definitions of the columns.")
    ap.add_argument("--go", metavar="GOROOT", default=None,
                    help="Go toolchain to build the corpus with (default: Go 1.19)")
    ap.add_argument("--linger", default=os.path.join(REPO, "build", "linger"),
                    help="linger binary (default: build/linger)")
    ap.add_argument("--duration", type=parse_duration, default=30.0,
                    help="how long linger watches each program (default 30s)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this program (repeatable, or comma-separated)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless recall >= 0.95, precision >= 0.99, no false site, "
                         "no slow flag and no failed run")
    ap.add_argument("--attach-delay", type=float, default=1.0,
                    help="seconds between a program's `ready` and attaching (default 1)")
    ap.add_argument("--linger-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for linger, e.g. --linger-arg=--min-ratio=0.5 (repeatable)")
    ap.add_argument("--json", metavar="FILE", help="also write the scores as JSON to FILE")
    ap.add_argument("--jobs", type=int, default=1, metavar="N",
                    help="programs run at once, each with its own linger (default 1); "
                         "they are mostly idle, so a few at once keep the timings")
    args = ap.parse_args()

    if not (os.path.isfile(args.linger) and os.access(args.linger, os.X_OK)):
        print(f"score.py: no linger binary at {args.linger} (build it, or pass --linger)", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("score.py: not root: linger will most likely fail to attach", file=sys.stderr)
    goroot = args.go or default_goroot()
    if not goroot or not os.path.isfile(os.path.join(goroot, "bin", "go")):
        print(f"score.py: no Go toolchain at {goroot} (pass --go GOROOT)", file=sys.stderr)
        return 2
    try:
        names = corpus_programs(goroot)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    only = [n for o in args.only for n in o.split(",") if n]
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            print(f"score.py: no corpus program {', '.join(unknown)}; have {', '.join(names)}",
                  file=sys.stderr)
            return 2
        names = [n for n in names if n in only]

    outdir = tempfile.mkdtemp(prefix="linger-corpus-")
    try:
        try:
            bins = build(goroot, names, outdir)
        except SystemExit as e:
            print(e, file=sys.stderr)
            return 2
        def one(n):
            start = time.monotonic()
            sc = score(run_one(n, bins[n], args))
            print(f"{n}: leaked {sc['leaked']} flagged {sc['flagged']} hit {sc['hit']} "
                  f"false {len(sc['false_sites'])} ({time.monotonic() - start:.0f}s)"
                  + ("".join(f"; ERROR {e}" for e in sc["errors"])), file=sys.stderr, flush=True)
            return sc
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            scores = list(pool.map(one, names))
    finally:
        shutil.rmtree(outdir, ignore_errors=True)

    print_table(scores)
    print_details(scores)
    tot = totals(scores)
    failures = []
    if tot["leaked"] and tot["hit"] / tot["leaked"] < 0.95:
        failures.append(f"recall {tot['hit'] / tot['leaked']:.3f} < 0.95")
    if tot["flagged"] and tot["hit"] / tot["flagged"] < 0.99:
        failures.append(f"precision {tot['hit'] / tot['flagged']:.3f} < 0.99")
    if tot["false"]:
        failures.append(f"{tot['false']} false sites")
    slow = sum(len(sc["ttf_fail"]) for sc in scores)
    if slow:
        failures.append(f"{slow} leak sites flagged late or never")
    if tot["errors"]:
        failures.append(f"{tot['errors']} run errors")
    print()
    print("check: " + ("; ".join(failures) if failures else "all targets met"))
    if args.json:
        def clean(o):
            if isinstance(o, set):
                return sorted(o)
            raise TypeError(type(o))
        with open(args.json, "w") as f:
            json.dump({"duration_s": args.duration, "linger": args.linger, "linger_args": args.linger_arg,
                       "totals": tot, "programs": scores}, f, indent=1, default=clean)
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
