"""Wall-clock limits inside the worker, without threads: SIGALRM interrupts long sympy calls.

OutOfTime derives from BaseException so that sympy's own `except Exception` blocks cannot
swallow it. Limits do not nest: callers run one limited step at a time.
"""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager


class OutOfTime(BaseException):
    """A time limit expired."""


class Deadline:
    """A point in time; hands out time limits that never reach past it."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0

    def within(self, fraction: float) -> "Deadline":
        """A nearer deadline: `fraction` of the time that is left."""
        return Deadline(self.remaining() * fraction)

    @contextmanager
    def limit(self, cap: float = float("inf")):
        """Run the body for at most min(cap, remaining) seconds; raises OutOfTime beyond."""
        seconds = min(cap, self.remaining())
        if seconds <= 0:
            raise OutOfTime

        def on_alarm(signum, frame):
            raise OutOfTime

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
