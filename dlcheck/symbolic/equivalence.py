"""Is an answer equivalent to an expected expression?

Cascade, all within one Deadline:
1. a quick numeric screen (a few points): one differing point settles "not equivalent";
2. symbolic: a - b is reduced by cheap steps first (expand, cancel, log rules under the
   symbols' assumptions) and `simplify` last, each under its own time cap;
3. numeric evidence: up to WANTED_POINTS seeded points; equal if every valid point agrees
   (relative 1e-9) and at least MIN_POINTS were valid, else the first counterexample.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Expr, Float, cancel, expand, expand_log, simplify, together

from .sampling import Point, PointSource, close, value_at
from .table import SymbolTable
from .timebox import Deadline, OutOfTime

SCREEN_POINTS = 3
WANTED_POINTS = 40
MIN_POINTS = 10

# (step, seconds it may take at most)
SYMBOLIC_STEPS = (
    (expand, 1.0),
    (lambda d: cancel(together(d)), 1.0),
    (lambda d: cancel(expand_log(d)), 1.0),  # log rules hold where the assumptions say positive
    (simplify, 3.0),
)


@dataclass(frozen=True)
class Counterexample:
    point: Point              # only the symbols either side depends on
    answer: Float
    expected: Float


@dataclass(frozen=True)
class Verdict:
    equivalent: bool | None            # None: could not be decided
    method: str | None = None          # "symbolic" | "numeric"
    counterexample: Counterexample | None = None
    reason: str | None = None          # when undecided: "time" or "undefined"


@dataclass
class _Scan:
    agreed: int = 0
    counterexample: Counterexample | None = None
    timed_out: bool = False


class Comparer:
    """Compares expressions of one exercise; numeric values are cached across comparisons."""

    def __init__(self, table: SymbolTable, points: PointSource):
        self.table = table
        self.points = points
        self._values: dict[tuple[Expr, int], Float | None] = {}

    def compare(self, answer: Expr, expected: Expr, deadline: Deadline) -> Verdict:
        a = self.table.expand_definitions(answer)
        b = self.table.expand_definitions(expected)
        screen = self._scan(a, b, deadline.within(0.3), SCREEN_POINTS)
        if screen.counterexample:
            return Verdict(False, "numeric", screen.counterexample)
        if self._proves_zero(a - b, deadline.within(0.6)):
            return Verdict(True, "symbolic")
        scan = self._scan(a, b, deadline, WANTED_POINTS)
        if scan.counterexample:
            return Verdict(False, "numeric", scan.counterexample)
        if scan.agreed >= MIN_POINTS:
            return Verdict(True, "numeric")
        return Verdict(None, reason="time" if scan.timed_out else "undefined")

    def _proves_zero(self, difference: Expr, deadline: Deadline) -> bool:
        if difference == 0:
            return True
        for step, cap in SYMBOLIC_STEPS:
            try:
                with deadline.limit(cap):
                    reduced = step(difference)
            except OutOfTime:
                return False
            except Exception:  # a sympy step that cannot handle this input proves nothing
                continue
            if reduced == 0:
                return True
        return False

    def _scan(self, a: Expr, b: Expr, deadline: Deadline, wanted: int) -> _Scan:
        scan = _Scan()
        relevant = a.free_symbols | b.free_symbols  # the coordinates a counterexample shows
        try:
            with deadline.limit():
                index = 0
                while scan.agreed < wanted:
                    point = self.points.point(index)
                    if point is None:
                        break
                    value_a, value_b = self._value(a, index, point), self._value(b, index, point)
                    index += 1
                    if value_a is None or value_b is None:
                        continue  # undefined or complex here: not evidence either way
                    if not close(value_a, value_b):
                        shown = {s: v for s, v in point.items() if s in relevant}
                        scan.counterexample = Counterexample(shown, value_a, value_b)
                        break
                    scan.agreed += 1
        except OutOfTime:
            scan.timed_out = True
        return scan

    def _value(self, expr: Expr, index: int, point: Point) -> Float | None:
        key = (expr, index)
        if key not in self._values:
            self._values[key] = value_at(expr, point)
        return self._values[key]
