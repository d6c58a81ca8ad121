"""When a submission's time is up: the CPU time its worker used, as the kernel counts it, against
the spec's limits; wall-clock time only as a backstop.

The import, and then each case, may use `case_seconds` of CPU time; the whole run `total_seconds`.
CPU time does not grow while the worker waits for a core, so a busy machine (a laptop running an
IDE, an instructor grading many students in parallel, a shared CI runner) makes grading slower,
never a correct submission late. What spends no CPU (sleeping, waiting on a lock or on input) is
ended by the wall-clock backstop, `wall_backstop(limit)`, and told so. If the backstop ends a wait
in which the worker was mostly ready to run but had no CPU, or finds it in the kernel waiting for
the disk or memory, the machine was too busy: dlcheck says it could not
grade instead of blaming the submission.

The CPU time is read by the grader from /proc (sandbox/usage.py), not reported by the worker, so a
submission cannot claim less; RLIMIT_CPU on the worker (the total plus a margin) stops it even if
the grader could not read it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .errors import GraderFault
from .sandbox.usage import Usage

WALL_FACTOR = 3
WALL_SLACK_SECONDS = 5.0
MIN_POLL_SECONDS = 0.01  # the kernel counts CPU time in 10 ms ticks
# One thread spends at most a second of CPU per second: the clock is read again when the budget
# left could first run out, and at least this often (a second thread would spend it faster).
MAX_POLL_SECONDS = 0.5


def wall_backstop(cpu_seconds: float) -> float:
    """How long a stage with `cpu_seconds` of CPU time may last in wall time."""
    return WALL_FACTOR * cpu_seconds + WALL_SLACK_SECONDS


@dataclass(frozen=True)
class Mark:
    wall: float  # time.monotonic()
    cpu: float  # the worker's CPU time so far
    queued: float  # the worker's time waiting for a CPU so far
    active: bool = False  # in uninterruptible I/O (the disk, memory) at this moment


class RunClock:
    """The time one student run has used, per stage (the import, then each case) and in total."""

    def __init__(self, measure: Callable[[], Usage | None], case_seconds: float, total_seconds: float):
        self._measure = measure
        self.case_seconds, self.total_seconds = case_seconds, total_seconds
        # Where /proc cannot tell, every second of wall time counts as CPU time (the rule before CPU time).
        self._origin = measure()
        self._last = Mark(time.monotonic(), 0.0, 0.0)
        self._start = self._stage = self._last

    def next_stage(self) -> float:
        """A stage ended (the worker reported): the next one gets its own case budget. Returns the
        wall seconds the ended stage took (a case's `seconds` in the result)."""
        ended = self._stage
        self._stage = self._now()
        return self._stage.wall - ended.wall

    def wall_deadline(self) -> float:
        """The backstop: when waiting ends whatever the CPU time (a time.monotonic() value)."""
        return min(self._stage.wall + wall_backstop(self.case_seconds),
                   self._start.wall + wall_backstop(self.total_seconds))

    def watch(self) -> float:
        """For Channel.receive: seconds until the CPU budget could first run out, <= 0 once it has."""
        now = self._now()
        left = min(self.case_seconds - (now.cpu - self._stage.cpu), self.total_seconds - (now.cpu - self._start.cpu))
        return 0.0 if left <= 0 else min(max(left, MIN_POLL_SECONDS), MAX_POLL_SECONDS)

    def time_up(self, where: str) -> str:
        """What the student is told when waiting for the worker timed out `where` ("on case 'x'").
        Raises GraderFault when the machine, not the submission, took the time."""
        now = self._now()
        # Where the OS cannot tell CPU time (macOS, Windows: sandbox/host.py), wall time stood in for it.
        kind = "of CPU time" if self._origin is not None else "of wall-clock time, as this machine cannot measure CPU time"
        if now.cpu - self._stage.cpu >= self.case_seconds:
            return (f"Timed out {where} (limit {self.case_seconds:g} s {kind}). Look for an infinite loop "
                    f"or work that grows too fast.")
        if now.cpu - self._start.cpu >= self.total_seconds:
            return (f"Timed out {where} (limit {self.total_seconds:g} s {kind} for all cases together). "
                    f"Look for an infinite loop or work that grows too fast.")
        whole_run = now.wall >= self._start.wall + wall_backstop(self.total_seconds)
        since = self._start if whole_run else self._stage
        wall, cpu, queued = now.wall - since.wall, now.cpu - since.cpu, now.queued - since.queued
        # Mostly ready to run without a CPU to run on, or in the kernel waiting for the disk or memory
        # now: the machine's time, not the submission's.
        if queued > wall - cpu - queued or now.active:
            state = "; it is waiting for the disk or memory" if now.active else ""
            raise GraderFault(f"the machine was too busy to grade this submission: {where}, its worker got "
                              f"{cpu:.1f} s of CPU time in {wall:.0f} s and waited {queued:.0f} s for a CPU{state}; "
                              f"grade it again when the machine is less loaded")
        return (f"Stopped {where} after {wall:.0f} s of wall time, in which your code used only {cpu:.1f} s "
                f"of CPU time: is it waiting on input or sleeping (input(), time.sleep, a lock, a queue)? "
                f"Your function must compute its result and return it.")

    def _now(self) -> Mark:
        wall = time.monotonic()
        usage = self._measure() if self._origin is not None else None
        if self._origin is None:
            cpu, queued = wall - self._start.wall, 0.0
        elif usage is None:  # the job just ended: its last reading stands
            cpu, queued = self._last.cpu, self._last.queued
        else:
            cpu, queued = usage.cpu - self._origin.cpu, usage.queued - self._origin.queued
        # Never backwards: a worker reaped between two reads moves its time to its keeper's total.
        self._last = Mark(wall, max(cpu, self._last.cpu), max(queued, self._last.queued), bool(usage and usage.active))
        return self._last
