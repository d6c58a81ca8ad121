"""What a job's processes have used so far, from the kernel's own accounting in /proc.

The grader reads it from outside the job, so nothing the job does can make it smaller: a worker
that lies about its time, or patches `time` and `resource`, changes nothing here. The job is its
process (the keeper, when the worker has a PID namespace of its own) and every live descendant.

- CPU time: user + system time of every thread, live or exited, and of reaped children
  (/proc/PID/stat, which sums the threads of a process; `SC_CLK_TCK` resolution, 10 ms).
- Time waiting for a CPU: how long the job's threads were runnable but not running, because the
  machine was busy (/proc/PID/task/TID/schedstat; 0 where the kernel keeps no scheduler stats).
- Whether a thread is, right now, running or ready to run, or waiting in the kernel for the disk or
  memory (states R and D): what a thread that sleeps or waits on a lock (S) is not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # read on Linux only (host.py)
NANOSECONDS = 1e9


@dataclass(frozen=True)
class Usage:
    cpu: float  # seconds on a CPU
    queued: float  # seconds runnable, waiting for a CPU
    # A thread is in uninterruptible I/O now (waiting for the disk or memory). Running or runnable is
    # not counted: a worker that wakes every few ms to sleep again is often caught running, and time
    # spent runnable without a CPU is in `queued` already.
    active: bool = False


def job_usage(root: int) -> Usage | None:
    """The usage of `root` and its live descendants; None when /proc cannot tell (no /proc, or the
    job already gone)."""
    cpu = queued = 0.0
    active = False
    frontier, seen = [root], set()
    while frontier:
        pid = frontier.pop()
        seen.add(pid)
        times = _cpu_seconds(pid)
        if times is None:
            if pid == root:
                return None
            continue  # exited between two reads: its time moves to its parent's children total
        cpu += times
        tasks = _tasks(pid)
        queued += sum(_queued_seconds(pid, tid) for tid in tasks)
        active = active or any(_state(pid, tid) == b"D" for tid in tasks)
        frontier += [child for child in _children(pid, tasks) if child not in seen]
    return Usage(cpu, queued, active)


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # After the command name (which may hold spaces and parentheses): state is field 3, utime 14,
    # stime 15, cutime 16, cstime 17 (proc(5)).
    fields = stat[stat.rfind(b")") + 2:].split()
    return sum(int(value) for value in fields[11:15]) / TICKS_PER_SECOND


def _tasks(pid: int) -> list[str]:
    try:
        return os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []


def _state(pid: int, tid: str) -> bytes:
    try:
        with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return b""
    return stat[stat.rfind(b")") + 2:][:1]


def _queued_seconds(pid: int, tid: str) -> float:
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
            return int(f.read().split()[1]) / NANOSECONDS
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int, tasks: list[str]) -> list[int]:
    children = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                children += [int(child) for child in f.read().split()]
        except FileNotFoundError:
            return _children_by_scan(pid)  # a kernel without CONFIG_PROC_CHILDREN (or the task just exited)
        except OSError:
            continue
    return children


def children_of(parent: int) -> list[int]:
    """Every process whose parent is `parent`: from its tasks' children lists where the kernel keeps
    them (cheap, however many processes the machine runs), else by scanning /proc."""
    try:
        tasks = os.listdir(f"/proc/{parent}/task")
    except OSError:
        return _children_by_scan(parent)
    return _children(parent, tasks)


def _children_by_scan(parent: int) -> list[int]:
    """Every process whose parent is `parent`, by reading every process's stat."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if int(fields[1]) == parent:
            children.append(int(entry))
    return children
