"""Kills the workers and zygote of another grading run going on at the same time, and stops its grader."""
import os
import signal
import time
from pathlib import Path

VICTIM_GRADER = $VICTIM_PID


def descendants(root):
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                data = Path(f"/proc/{entry}/stat").read_bytes()
                parents[int(entry)] = int(data[data.rfind(b")") + 2:].split()[1])
            except OSError:
                pass
    found, frontier = set(), {root}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


def send(pid, sig, report):
    try:
        signal.pidfd_send_signal(os.pidfd_open(pid), sig)
        report.add(f"{signal.Signals(sig).name} {pid}: DONE")
    except BaseException as exc:  # noqa: B902
        report.add(f"{signal.Signals(sig).name}: {type(exc).__name__}")


def solve(*args):
    report = set()
    end = time.monotonic() + $CASE_SECONDS - 0.4
    while time.monotonic() < end:
        for pid in descendants(VICTIM_GRADER):
            send(pid, signal.SIGKILL, report)
        send(VICTIM_GRADER, signal.SIGSTOP, report)
        time.sleep(0.05)
    raise RuntimeError("; ".join(sorted(report)))
