"""What is measured around every run, and the assertions every attack test makes.

Measured (harness.py does it around each run): digests of every guarded file, marker files an
attack may have left in /tmp, /dev/shm and $HOME, traffic on loopback listeners, processes left
behind, the grader's peak memory.

Asserted (`assert_contained`, for the slots of the run a test owns):
- the verdict: not `pass` (or, in an untrusted configuration without --allow-weak-sandbox, a
  refusal: exit 4, nothing on stdout, a message naming --allow-weak-sandbox);
- the run ended within its bound;
- no survivors;
- no guarded file changed, no marker file left, nothing reached a listener;
- no reference marker and no secret from the grader's environment in anything dlcheck printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import socket
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.security.configurations import REPO
from tests.security.course import REFERENCE_MARKER

if TYPE_CHECKING:
    from tests.security.harness import Outcome

FIXTURE_COURSE = REPO / "tests" / "fixtures" / "course"
# Committed as the first line of every file in tests/fixtures/course/solutions/.
FIXTURE_MARKER = "dlcheck-reference-marker: fixture-course-678e88cb-8275-4a4a-8746-f08ab054c27b"
# The real course's references cannot carry a marker line: a distinctive fragment of each one we attack.
REAL_COURSE_MARKERS = {"conv_shape": "receptive field of one output: the dilated kernel",
                       "kl_gaussian": "per_dim = logvar_p - logvar_q"}
for _exercise, _fragment in REAL_COURSE_MARKERS.items():
    assert _fragment in (REPO / "solutions" / f"{_exercise}.py").read_text(), f"update the marker of {_exercise}"
MARKERS = [REFERENCE_MARKER, FIXTURE_MARKER, *REAL_COURSE_MARKERS.values()]

# In the environment of every dlcheck run: no output may ever contain them.
SECRETS = {"DLCHECK_SECRET": f"dlcheck-secret-{secrets.token_hex(12)}",
           "GITHUB_TOKEN": f"ghp_{secrets.token_hex(18)}"}

# Shared by every run: dlcheck itself and both committed courses.
GUARDED_TREES = [REPO / "dlcheck", REPO / "exercises", REPO / "solutions", FIXTURE_COURSE]
ESCAPE_DIRS = [Path("/tmp"), Path("/dev/shm")]  # and the run's $HOME
REFUSAL_EXIT = 4


# ------------------------------------------------------------ files

def tree_digest(roots: list[Path], own_state: Path | None = None) -> dict[str, str]:
    """Content, mode and owner of every file, the target of every symlink. `own_state` is
    dlcheck's progress directory (workspace/.dlcheck), which it may write, unless it is a symlink."""
    digest: dict[str, str] = {}
    for root in roots:
        if not os.path.lexists(root):
            digest[str(root)] = "absent"
            continue
        entries = [root] if not root.is_dir() or root.is_symlink() else [root, *root.rglob("*")]
        for path in entries:
            if "__pycache__" in path.parts:
                continue
            if own_state is not None and (own_state in path.parents or (path == own_state and not path.is_symlink())):
                continue
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                digest[str(path)] = f"symlink -> {os.readlink(path)}"
            elif stat.S_ISREG(info.st_mode):
                # Not the link count: tests plant hard links to references while other runs go on.
                digest[str(path)] = f"{hashlib.sha256(path.read_bytes()).hexdigest()}:{info.st_mode:o}:{info.st_uid}"
            else:
                digest[str(path)] = f"mode {info.st_mode:o}"
    return digest


def changed_paths(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def escape_markers(prefix: str, home: Path) -> list[Path]:
    """Files whose name starts with `prefix` in /tmp, /dev/shm and the run's $HOME."""
    found = []
    for place in [*ESCAPE_DIRS, home]:
        try:
            found += [place / name for name in os.listdir(place) if name.startswith(prefix)]
        except OSError:
            pass
    return found


# ------------------------------------------------------------ network

class Listener:
    """An idle loopback TCP listener and UDP socket on one port: anything arriving is a breach."""

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.tcp.setblocking(False)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.udp.setblocking(False)

    def arrivals(self) -> list[str]:
        seen = []
        for receive, what in ((self.tcp.accept, "a TCP connection"), (lambda: self.udp.recvfrom(64), "a UDP datagram")):
            try:
                while True:
                    item = receive()
                    seen.append(what)
                    if isinstance(item[0], socket.socket):
                        item[0].close()
            except (BlockingIOError, InterruptedError):
                pass
        return seen

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()


# ------------------------------------------------------------ processes

def parent_map() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                data = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            parents[int(entry)] = int(data[data.rfind(b")") + 2:].split()[1])
    return parents


def children_of(pid: int) -> set[int]:
    return {child for child, parent in parent_map().items() if parent == pid}


def descendants_of(pid: int) -> set[int]:
    parents = parent_map()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def describe_process(pid: int) -> str:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        stat_line = Path(f"/proc/{pid}/stat").read_text(errors="replace")
        name, state = stat_line[stat_line.find("(") + 1:stat_line.rfind(")")], stat_line[stat_line.rfind(")") + 2]
    except OSError:
        cmdline, name, state = "?", "?", "?"
    try:
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if ":\t" in line)
        owner = f" uid {status.get('Uid', '?').split()[0]}, pid in its namespace {status.get('NSpid', '?').split()[-1]}"
    except OSError:
        owner = ""
    return f"{pid} {name} [{state}]{owner} {cmdline[:120]}"


def kill_and_reap(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # not our child: its own parent reaps it


def peak_memory_mb(pid: int) -> float | None:
    """The process's high-water resident set (VmHWM), read while it runs."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# ------------------------------------------------------------ output

def leaks_in(text: str) -> list[str]:
    found = [f"reference marker {m[:40]!r}" for m in MARKERS if m in text]
    return found + [f"the value of ${name}" for name, value in SECRETS.items() if value in text]


C0_EXCEPT_NEWLINE_AND_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def control_characters(text: str) -> list[str]:
    return sorted({repr(c) for c in C0_EXCEPT_NEWLINE_AND_TAB.findall(text)})


def results_by_exercise(report: dict | None) -> dict[str, dict]:
    if not isinstance(report, dict):
        return {}
    if "results" in report:
        return {r.get("exercise"): r for r in report["results"]}
    return {report.get("exercise"): report}


def text_outside(outcome: "Outcome", others: set[str]) -> str:
    """Everything the run printed, minus the results of `others` (attacks that tests of their own judge)."""
    report = outcome.report
    if not others or report is None:
        return outcome.stdout + outcome.stderr
    if "results" in report:
        report = {**report, "results": [r for r in report["results"] if r.get("exercise") not in others]}
    return json.dumps(report) + outcome.stderr


# ------------------------------------------------------------ the assertions

def assert_refused(outcome: "Outcome") -> None:
    """An untrusted sandbox and grading that counts: exit 4, nothing on stdout, the way out named."""
    assert outcome.returncode == REFUSAL_EXIT, (
        f"{outcome.config}: the sandbox is weak here and this grading counts, yet dlcheck exited "
        f"{outcome.returncode} instead of refusing with {REFUSAL_EXIT}; stderr: {outcome.stderr[-800:]}")
    assert outcome.stdout == "", f"a refusal prints nothing on stdout, got: {outcome.stdout[:400]}"
    assert "--allow-weak-sandbox" in outcome.stderr, f"the refusal must name --allow-weak-sandbox: {outcome.stderr}"
    assert re.search(r"landlock|namespace", outcome.stderr, re.I), f"the refusal must name the missing layers: " \
                                                                   f"{outcome.stderr}"


def assert_contained(outcome: "Outcome", slots: list[str], *, expect_results: bool = True) -> dict[str, dict]:
    """The promises of docs/security.md for the attacks in `slots` of this run; returns their results."""
    assert not outcome.timed_out, (f"{outcome.config}: dlcheck was still running after {outcome.bound:g} s and was "
                                   f"killed; stderr: {outcome.stderr[-800:]}")
    assert outcome.elapsed < outcome.bound, f"took {outcome.elapsed:.1f} s (bound {outcome.bound:g} s)"
    assert outcome.survivors == [], (f"processes outlived the run: {outcome.survivors} (dlcheck exited "
                                     f"{outcome.returncode}; stderr: {outcome.stderr[-600:]})")
    others = set(outcome.claims) - set(slots)
    foreign_targets = {path for slot in others for path in outcome.claims[slot]}
    changed = [p for p in outcome.changed if not any(p == t or p.startswith(t + "/") for t in foreign_targets)]
    assert changed == [], f"files changed outside scratch: {changed}"
    escaped = [str(p) for slot in slots for p in outcome.escapes.get(slot, [])]
    assert escaped == [], f"the submission left files outside its sandbox: {escaped}"
    reached = {slot: outcome.arrivals[slot] for slot in slots if outcome.arrivals.get(slot)}
    assert reached == {}, f"the loopback listener received traffic: {reached}"
    leaked = leaks_in(text_outside(outcome, others))
    assert leaked == [], f"dlcheck printed {leaked}"
    if outcome.refusal_expected:
        assert_refused(outcome)
        return {}
    if not expect_results:
        return {}
    assert outcome.report is not None, (f"{outcome.config}: stdout is not one JSON document (exit "
                                        f"{outcome.returncode}); stderr: {outcome.stderr[-1500:]}")
    results = results_by_exercise(outcome.report)
    missing = [slot for slot in slots if slot not in results]
    assert missing == [], f"no result for {missing}; got results for {sorted(results)}"
    passed = [slot for slot in slots if results[slot]["status"] == "pass"]
    assert passed == [], "forged passes: " + "; ".join(
        f"{s}: {results[s]['message'][:200]} / printed {results[s].get('output', '')[:300]!r}" for s in passed)
    assert outcome.returncode == 1, f"exit {outcome.returncode}; stderr: {outcome.stderr[-800:]}"
    return {slot: results[slot] for slot in slots}


def wait_until(predicate, timeout: float, interval: float = 0.02) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
