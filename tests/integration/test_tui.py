#!/usr/bin/env python3
"""Integration test of the live table: build/linger runs in a tmux pane
against tests/targets/mixed (three leak sites: main.leakTimeout,
main.leakLockedMutex, main.leakForgottenReceiver), the test types keys and
reads the screens back with `tmux capture-pane`. Each test has its own tmux
server socket and session, and kills only that session.

--captures DIR also writes the screens it saw at 80x24 and 160x50 (main
view and detail view) to DIR, for people to look at."""
import argparse
import os
import re
import signal
import subprocess
import time

from harness import Target, require_root, run_tests

ap = argparse.ArgumentParser()
ap.add_argument("--linger", required=True)
ap.add_argument("--targets", required=True)
ap.add_argument("--captures", help="write the screens seen to this directory")
ARGS = ap.parse_args()
LINGER = os.path.abspath(ARGS.linger)
LEAKS = ("main.leakTimeout", "main.leakLockedMutex", "main.leakForgottenReceiver")
SGR = re.compile(r"\x1b\[[0-9;]*m")
PROMPT = "tui$ "


def target():
    return Target(os.path.join(ARGS.targets, "mixed"), "-lock-loss-after", "2s")


def save(name, screen):
    if ARGS.captures:
        os.makedirs(ARGS.captures, exist_ok=True)
        with open(os.path.join(ARGS.captures, name), "w") as f:
            f.write(screen)


class Pane:
    """One tmux session on a private server, running an interactive bash
    with a known prompt; linger is typed into it like a person would."""

    def __init__(self, tag, cols, rows, env=()):
        self.socket = f"linger-tui-{os.getpid()}"
        self.name = f"linger-tui-{os.getpid()}-{tag}"
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(cols), "-y", str(rows),
                  "--", "env", f"PS1={PROMPT}", *env, "bash", "--norc", "--noprofile", "-i")
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").strip()
        self.wait_for(lambda s: PROMPT.strip() in s, 10, "the shell prompt")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True,
                              capture_output=True, text=True).stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", self.name, *keys)

    def text(self, s):
        self.tmux("send-keys", "-t", self.name, "-l", s)

    def capture(self, escapes=False):
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.name)

    def resize(self, cols, rows):
        self.tmux("resize-window", "-t", self.name, "-x", str(cols), "-y", str(rows))

    def wait_for(self, pred, timeout, what, escapes=False):
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture(escapes)
            if pred(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{screen}")
            time.sleep(0.1)

    def clear(self):
        self.text("clear")
        self.keys("Enter")
        self.wait_for(lambda s: s.strip() == PROMPT.strip(), 5, "a clear screen")

    def shell_pid(self):
        return int(self.tmux("display-message", "-p", "-t", self.name, "#{pane_pid}"))

    def kill(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-session", "-t", self.name],
                       capture_output=True)
        # The private server ends with its last session; its socket stays.
        alive = subprocess.run(["tmux", "-L", self.socket, "list-sessions"],
                               capture_output=True).returncode == 0
        if not alive and self.socket_path:
            try:
                os.unlink(self.socket_path)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def run(pane, pid):
    # One job for the shell, so that a stop (Ctrl-Z) and fg keep the
    # echo and stty that follow linger.
    pane.text(f"bash -c 'ulimit -c 0; {LINGER} -p {pid}; echo EXIT=$?; stty -a'")
    pane.keys("Enter")


def labels_index(lines):
    for i, l in enumerate(lines):
        if l.startswith("VERDICT"):
            return i
    return None


def table(screen):
    """(status line, labels line, rows) of a main-view screen."""
    lines = screen.split("\n")
    i = labels_index(lines)
    assert i is not None, f"no column labels on screen:\n{screen}"
    rows = []
    for l in lines[i + 1:]:
        if not l.strip() or l.startswith("…"):
            break
        rows.append(l)
    return lines[2], lines[i], rows


def is_table(screen):
    lines = screen.split("\n")
    return labels_index(lines) is not None and len(table(screen)[2]) > 0


def reversed_row(screen_e):
    """Index among the rows of the row drawn in reverse video."""
    lines = screen_e.split("\n")
    plain = [SGR.sub("", l) for l in lines]
    i = labels_index(plain)
    assert i is not None, f"no column labels on screen:\n{screen_e}"
    hits = [k for k, l in enumerate(lines[i + 1:])
            if re.search(r"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m", l)]
    assert len(hits) == 1, f"want one selected row, got {hits}:\n{screen_e!r}"
    return hits[0]


def section(screen, title):
    """Lines under a heading of the detail view, up to the next blank."""
    lines = screen.split("\n")
    for i, l in enumerate(lines):
        if l.startswith(title):
            out = []
            for x in lines[i + 1:]:
                if not x.strip():
                    break
                out.append(x)
            return out
    raise AssertionError(f"no {title!r} on screen:\n{screen}")


def uptime(screen):
    m = re.search(r"   up (\S+)", screen.split("\n")[0])
    assert m, f"no uptime in the title:\n{screen}"
    return m.group(1)


def assert_sane_exit(pane, status=None):
    """linger ended: its exit status echoed, the terminal back in
    canonical mode with echo, the prompt back at the bottom."""
    screen = pane.wait_for(lambda s: re.search(r"EXIT=\d", s) and s.rstrip().endswith(
        PROMPT.strip()), 20, "linger to exit and the prompt")
    m = re.search(r"EXIT=(\d+)", screen)
    if status is not None:
        assert int(m.group(1)) == status, f"exit {m.group(1)}, want {status}:\n{screen}"
    words = screen[m.end():].split()
    assert "icanon" in words and "echo" in words, f"terminal not restored:\n{screen}"
    assert "-icanon" not in words and "-echo" not in words, f"terminal not restored:\n{screen}"
    return screen


def test_keys_160x50():
    with target() as t, Pane("keys", 160, 50) as pane:
        start = time.monotonic()
        run(pane, t.pid)
        pane.wait_for(is_table, 15, "the table")
        # The leaks take ~10 s to be settled: by ~14 s one is on top.
        screen = pane.wait_for(
            lambda s: is_table(s) and table(s)[2][0].startswith("leak")
            and time.monotonic() - start >= 14, 30, "a leak row on top")
        status, labels, rows = table(screen)
        top = rows[0]
        func = next((f for f in LEAKS if f + " " in top + " "), None)
        assert func, f"the top row names no leak site: {top!r}"
        assert "VERDICT▼" in labels and "sort VERDICT▼" in status, screen
        assert "BLOCKED AT" in labels and "HELD" in labels, labels
        # Leak rows red, the selection in reverse video, the title bold.
        screen_e = pane.capture(escapes=True)
        first = screen_e.split("\n")[labels_index(SGR.sub("", screen_e).split("\n")) + 1]
        assert "\x1b[31m" in first or ";31m" in first or "[31;" in first, repr(first)
        assert reversed_row(screen_e) == 0
        assert "\x1b[1m" in screen_e.split("\n")[0], repr(screen_e.split("\n")[0])
        save("main_160x50.txt", screen)

        # p freezes the screen: same uptime two seconds on.
        pane.keys("p")
        frozen = pane.wait_for(lambda s: "PAUSED" in s, 5, "PAUSED")
        time.sleep(2.2)
        assert uptime(pane.capture()) == uptime(frozen), "the paused screen changed"

        # Down and Up move the selection (paused: the rows stay put).
        pane.keys("Down")
        pane.wait_for(lambda s: reversed_row(s) == 1, 3, "the selection on row 1", True)
        pane.keys("Down")
        pane.wait_for(lambda s: reversed_row(s) == 2, 3, "the selection on row 2", True)
        pane.keys("Up", "Up")
        pane.wait_for(lambda s: reversed_row(s) == 0, 3, "the selection back on row 0", True)

        # A resize redraws at once, from the last report (still paused, so
        # no new report can be what redrew it).
        pane.resize(80, 24)
        small = pane.wait_for(lambda s: is_table(s) and "BLOCKED AT" not in table(s)[1],
                              3, "the 80-column layout")
        assert "PAUSED" in small and uptime(small) == uptime(frozen), small
        assert all(len(l) <= 80 for l in small.split("\n")), small
        _, labels80, rows80 = table(small)
        assert labels80 == ("VERDICT▼  SUSPECTS  LIVE  LEAK/MIN  OLDEST  WAIT REASON   "
                            "CREATED AT"), labels80
        assert func in rows80[0], rows80[0]
        pane.keys("p")
        small = pane.wait_for(lambda s: "PAUSED" not in s and uptime(s) != uptime(frozen),
                              5, "the table to move on after the resize")
        save("main_80x24.txt", pane.wait_for(
            lambda s: is_table(s) and table(s)[2][0].startswith("leak"), 5, "a leak on top"))
        pane.keys("Enter")
        detail = pane.wait_for(lambda s: "CREATION STACK" in s, 5, "the detail at 80x24")
        save("detail_80x24.txt", detail)
        pane.keys("Escape")
        pane.wait_for(is_table, 5, "the table again")
        pane.resize(160, 50)
        pane.wait_for(lambda s: is_table(s) and "BLOCKED AT" in table(s)[1], 3,
                      "the 160-column layout")

        # Enter: the selected site's stacks, wait reason and ages.
        pane.keys("Home")
        screen = pane.wait_for(lambda s: is_table(s) and table(s)[2][0].startswith("leak"),
                               5, "a leak row on top")
        top = table(screen)[2][0]
        func = next((f for f in LEAKS if f + " " in top + " "), None)
        assert func, top
        pane.keys("Enter")
        detail = pane.wait_for(lambda s: "BLOCKING STACK" in s, 5, "the detail view")
        save("detail_160x50.txt", detail)
        body = detail.split("\n")[4]
        assert body.startswith("leak  " + func + " "), body
        created = section(detail, "CREATION STACK")
        assert created and created[0].split()[0] == func, created
        assert all(re.search(r"\S+:\d+$", l) for l in created), created
        heading = next(l for l in detail.split("\n") if l.startswith("BLOCKING STACK"))
        assert re.match(r"BLOCKING STACK \(goroutine \d+, [a-z .]+\)$", heading), heading
        blocked = section(detail, "BLOCKING STACK")
        assert blocked and "(no parked goroutine" not in blocked[0], blocked
        assert any(l.split()[0].startswith("main.") for l in blocked), blocked
        ages = section(detail, "AGE ")
        assert "<1ms" in detail and len(ages) >= 1, detail
        counts = [int(x) for x in ages[0].split()[1:] if x.isdigit()]
        assert len(counts) == 8 and sum(counts) > 0, ages

        # Esc goes back; so do Enter and Backspace.
        pane.keys("Escape")
        pane.wait_for(lambda s: is_table(s) and "CREATION STACK" not in s, 5, "the table")
        pane.keys("Enter")
        pane.wait_for(lambda s: "CREATION STACK" in s, 5, "the detail view")
        pane.keys("BSpace")
        pane.wait_for(lambda s: is_table(s) and "CREATION STACK" not in s, 5, "the table")

        # s moves the sort to the next column.
        pane.keys("s")
        screen = pane.wait_for(lambda s: "sort SUSPECTS▼" in s, 5, "sort SUSPECTS")
        _, labels, _ = table(screen)
        assert "SUSPECTS▼" in labels and "VERDICT▼" not in labels, labels

        # / filters by function name: only the forgotten receiver is left.
        pane.keys("/")
        pane.wait_for(lambda s: "filter: _" in s, 5, "the filter prompt")
        pane.text("Receiver")
        pane.keys("Enter")
        screen = pane.wait_for(lambda s: 'filter "Receiver"' in s, 5, "the filter applied")
        time.sleep(1.2)  # a refresh later, still filtered
        screen = pane.capture()
        _, _, rows = table(screen)
        assert len(rows) == 1 and "main.leakForgottenReceiver" in rows[0], rows

        # h shows help, any key returns.
        pane.keys("h")
        pane.wait_for(lambda s: "linger — keys" in s, 5, "help")
        pane.keys("x")
        pane.wait_for(is_table, 5, "the table after help")

        # q quits: the final report stays, the terminal is sane.
        pane.keys("q")
        screen = assert_sane_exit(pane, 1)
        assert "\nVERDICT" in screen, screen


def test_no_color_80x24():
    with target() as t, Pane("nocolor", 80, 24, env=("NO_COLOR=1",)) as pane:
        run(pane, t.pid)
        pane.wait_for(is_table, 15, "the table")
        screen = pane.wait_for(lambda s: "leak" in s, 20, "a leak row")
        assert all(len(l) <= 80 for l in screen.split("\n")), screen
        screen_e = pane.capture(escapes=True)
        # No colour at all; the selection still shows, in reverse video.
        assert not re.search(r"\x1b\[[0-9;]*(3[0-7]|9[0-7])[;m]", screen_e), repr(screen_e)
        assert reversed_row(screen_e) == 0
        pane.keys("q")
        assert_sane_exit(pane)


def test_plain_when_piped():
    with target() as t:
        p = subprocess.run([LINGER, "-p", str(t.pid), "--duration", "3500ms"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60)
    assert p.returncode in (0, 1), f"exit {p.returncode}: {p.stderr}"
    # Text blocks, one per refresh and the final one; no escape codes.
    assert "\x1b" not in p.stdout, repr(p.stdout[:400])
    assert p.stdout.count("linger — PID") >= 3, p.stdout
    assert p.stdout.count("\nVERDICT  SUSPECTS") >= 3, p.stdout
    assert "h help" not in p.stdout and "▼" not in p.stdout, p.stdout


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def linger_pid(pane):
    """linger's PID, found among the pane shell's descendants."""
    for _ in range(50):
        todo = [pane.shell_pid()]
        while todo:
            p = todo.pop()
            try:
                if os.readlink(f"/proc/{p}/exe") == os.path.realpath(LINGER):
                    return p
            except OSError:
                pass
            todo += children(p)
        time.sleep(0.1)
    raise AssertionError("linger is not running in the pane")


def test_every_exit_restores_the_terminal():
    with target() as t, Pane("exits", 80, 24) as pane:
        # Ctrl-C.
        run(pane, t.pid)
        pane.wait_for(is_table, 15, "the table")
        pane.keys("C-c")
        assert_sane_exit(pane)
        pane.clear()
        # SIGTERM.
        run(pane, t.pid)
        pane.wait_for(is_table, 15, "the table")
        os.kill(linger_pid(pane), signal.SIGTERM)
        assert_sane_exit(pane)
        pane.clear()
        # Ctrl-\ (SIGQUIT) ends it without the session's cleanup: the
        # terminal is given back before the signal takes effect.
        run(pane, t.pid)
        pane.wait_for(is_table, 15, "the table")
        pane.keys("C-\\")
        assert_sane_exit(pane, 128 + signal.SIGQUIT)
        pane.clear()
        # Ctrl-Z gives the terminal back while stopped; fg takes it again.
        run(pane, t.pid)
        pane.wait_for(is_table, 15, "the table")
        pane.keys("C-z")
        pane.wait_for(lambda s: "Stopped" in s and s.rstrip().endswith(PROMPT.strip()), 5,
                      "the job stopped")
        pane.text("stty -a | grep -o -- '-*icanon'")
        pane.keys("Enter")
        pane.wait_for(lambda s: re.search(r"^icanon$", s, re.M), 5, "icanon while stopped")
        pane.text("fg")
        pane.keys("Enter")
        pane.wait_for(is_table, 5, "the table after fg")
        pane.keys("q")
        assert_sane_exit(pane)
        pane.clear()
    # The target exits under linger's feet.
    with Target(os.path.join(ARGS.targets, "mixed"), "-duration", "5s") as t, \
            Pane("gone", 100, 60) as pane:
        run(pane, t.pid)
        pane.wait_for(is_table, 15, "the table")
        screen = assert_sane_exit(pane)
        assert "[target exited]" in screen and f"PID {t.pid} exited" in screen, screen


if __name__ == "__main__":
    require_root()
    run_tests([test_keys_160x50, test_no_color_80x24, test_every_exit_restores_the_terminal,
               test_plain_when_piped])
