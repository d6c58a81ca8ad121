"""Harness for adversarial submissions: each attack is graded through the real `dlcheck` command.

After every attack we check what docs/security.md promises: a verdict that is not `pass`, with a
message naming what happened; the grader returned within the time bound; no process started for
the submission survives; the grader's files and the workspace are unchanged; and a loopback
listener opened by the test saw nothing.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import socket
import string
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, REPO, run_cli

ATTACKS = Path(__file__).parent / "attacks"
GUARDED_TREES = [REPO / "dlcheck", REPO / "exercises", REPO / "solutions", FIXTURE_COURSE]
ESCAPE_MARKERS = [Path("/tmp/dlcheck-pwned"), Path("/tmp/dlcheck-escape.txt"), Path("/dev/shm/dlcheck-escape.txt"),
                  Path.home() / "dlcheck-escape.txt"]
PR_SET_CHILD_SUBREAPER = 36


@dataclass
class Outcome:
    report: dict
    elapsed: float
    stdout: str
    stderr: str


@pytest.fixture(scope="session", autouse=True)
def adopt_orphans():
    """Make the test process a subreaper: anything an attack leaves behind becomes our child."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


@pytest.fixture(scope="session")
def listener():
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(16)
    tcp.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", tcp.getsockname()[1]))
    udp.setblocking(False)
    yield tcp, udp
    tcp.close()
    udp.close()


def tree_digest(paths: list[Path]) -> dict[str, str]:
    digest = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or ".dlcheck" in path.parts:  # dlcheck's own progress file
                continue
            stat = path.stat()
            digest[str(path)] = f"{hashlib.sha256(path.read_bytes()).hexdigest()}:{stat.st_mode:o}"
    return digest


def processes_with_token(token: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if token.encode() in environ:
                found.append(int(entry))
    return found


def children_of_this_process() -> set[int]:
    me = str(os.getpid())
    kids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            if stat[stat.rfind(b")") + 2:].split()[1].decode() == me:
                kids.add(int(entry))
    return kids


def assert_listener_idle(listener) -> None:
    tcp, udp = listener
    with pytest.raises(BlockingIOError):
        tcp.accept()
    with pytest.raises(BlockingIOError):
        udp.recvfrom(64)


@pytest.fixture
def attack(tmp_path, listener):
    """attack(exercise_id, submission=attack file name | answer=text | answer_file=text, bound=seconds)."""
    def run(exercise_id: str, *, submission: str | None = None, answer: str | None = None,
            answer_file: str | None = None, bound: float) -> Outcome:
        workspace = tmp_path / "ws"
        workspace.mkdir(exist_ok=True)
        args = ["grade", exercise_id, "--format", "json"]
        if submission is not None:
            source = string.Template((ATTACKS / f"{submission}.py").read_text()).safe_substitute(
                PORT=listener[0].getsockname()[1], WORKSPACE=workspace,
                TARGETS=" ".join(map(str, [REPO / "dlcheck" / "grading.py", REPO / "exercises" / "conv_shape.yaml",
                                           REPO / "solutions" / "conv_shape.py",
                                           FIXTURE_COURSE / "solutions" / "scaled_sum.py",
                                           workspace / f"{exercise_id}.py"])))
            (workspace / f"{exercise_id}.py").write_text(source)
        elif answer_file is not None:
            (workspace / f"{exercise_id}.txt").write_text(answer_file)
        else:
            args += ["--answer", answer]
        course = FIXTURE_COURSE if submission is not None else REPO
        token = uuid.uuid4().hex
        guarded = tree_digest(GUARDED_TREES + [workspace])
        children_before = children_of_this_process()
        start = time.monotonic()
        done = run_cli(*args, cwd=tmp_path, timeout=bound + 60, env={
            "DLCHECK_COURSE": str(course), "DLCHECK_WORKSPACE": str(workspace), "DLCHECK_ATTACK_TOKEN": token,
            "XDG_CACHE_HOME": str(tmp_path / "cache")})
        elapsed = time.monotonic() - start

        assert done.returncode == 1, f"exit {done.returncode}; stderr: {done.stderr[-2000:]}"
        report = json.loads(done.stdout)  # stdout is still exactly one JSON document
        assert report["status"] in ("fail", "error"), report
        assert elapsed < bound, f"took {elapsed:.1f} s (bound {bound} s)"
        assert processes_with_token(token) == [], "processes started for the submission survived"
        assert children_of_this_process() - children_before == set(), "orphans were left behind"
        assert tree_digest(GUARDED_TREES + [workspace]) == guarded, "grader or workspace files changed"
        assert [m for m in ESCAPE_MARKERS if m.exists()] == [], "the submission left files outside its sandbox"
        assert_listener_idle(listener)
        return Outcome(report, elapsed, done.stdout, done.stderr)

    return run
