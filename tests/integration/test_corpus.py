#!/usr/bin/env python3
"""Integration test: linger scored against the leak corpus (tests/corpus).

Runs scripts/score.py --check: every corpus program is built and run with
linger attached; the test fails unless recall >= 0.95, precision >= 0.99,
no healthy site is flagged, every leak site is flagged in time and every run
went through. Needs root. About 35 s per program (~13 min in all) with the
default --duration 30s."""
import argparse
import os
import subprocess
import sys

from harness import require_root, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))
SCORE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts", "score.py")

ap = argparse.ArgumentParser()
ap.add_argument("--linger", required=True)
ap.add_argument("--duration", default="30s")
ap.add_argument("--go", default=None, help="GOROOT of the toolchain that builds the corpus")
ap.add_argument("--only", action="append", default=[], help="corpus program(s) to run")
ap.add_argument("--jobs", default="1", help="programs run at once")
ARGS = ap.parse_args()


def test_corpus_scores_meet_the_targets():
    cmd = [sys.executable, SCORE, "--check", "--linger", ARGS.linger, "--duration", ARGS.duration,
           "--jobs", ARGS.jobs]
    if ARGS.go:
        cmd += ["--go", ARGS.go]
    for o in ARGS.only:
        cmd += ["--only", o]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    # The table and the details are the useful part of a failure: show them.
    sys.stdout.write(p.stdout)
    sys.stdout.flush()
    assert p.returncode == 0, (f"score.py --check exited {p.returncode}: "
                               f"{p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr[-2000:]}")


if __name__ == "__main__":
    require_root()
    run_tests([test_corpus_scores_meet_the_targets])
