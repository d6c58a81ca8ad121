"""Looks for what a worker should not see at all: the course, dlcheck's own sources, the workspace and
the grader's working directory (each found the way an attacker would: the environment, the command
line, dlcheck.__file__, /proc)."""
import os
from pathlib import Path

import dlcheck


def parent_of(pid):
    data = Path(f"/proc/{pid}/stat").read_bytes()
    return int(data[data.rfind(b")") + 2:].split()[1])


def places():
    yield "the course", Path("$COURSE")
    yield "the course (from $$DLCHECK_COURSE)", Path(os.environ.get("DLCHECK_COURSE") or "/nonexistent")
    yield "dlcheck's sources", Path(dlcheck.__file__).resolve().parent
    yield "the workspace", Path("$WORKSPACE")
    try:
        grader = parent_of(os.getppid())
        yield "the grader's cwd", Path(f"/proc/{grader}/cwd")
        yield "the grader's cwd (resolved)", Path(os.readlink(f"/proc/{grader}/cwd"))
    except OSError:
        pass


def solve(*args):
    report = []
    for what, path in places():
        try:
            entries = os.listdir(path)
            report.append(f"VISIBLE {what}: {sorted(entries)[:4]}" if entries else f"empty {what}")
        except OSError as exc:
            report.append(f"hidden {what}: {type(exc).__name__}")
    raise RuntimeError("; ".join(report))
