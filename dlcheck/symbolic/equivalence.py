"""Does an answer equal an expected expression? Proved, observed, or refuted.

Cascade, all within one Deadline:
1. a quick numeric screen (a few points): one differing point settles "not equal";
2. symbolic: a - b is reduced by cheap steps first (expand, cancel, log rules under the
   symbols' assumptions, hyperbolic functions written with exp) and `simplify` last, each under
   its own time cap. Zero is a proof;
3. numeric evidence, never called a proof: up to WANTED_POINTS seeded points on the whole
   domains, then, when either side has a piecewise function (floor, ceiling, abs, …), the
   points on both sides of its places of change (breakpoints.py). Every valid point must agree
   (exactly, or to a relative 1e-20), at least MIN_POINTS random ones must be valid, and every
   breakpoint point must have been looked at; else the first counterexample, or undecided.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Expr, cancel, cosh, coth, csch, exp, expand, expand_log, sech, simplify, sinh, tanh, together

from .breakpoints import Crossings, steps_in
from .sampling import Point, PointSource, close, value_at
from .sums import CLOSING_SHARE, close_sums
from .table import SymbolTable
from .timebox import Deadline, OutOfTime

SCREEN_POINTS = 3
WANTED_POINTS = 40
MIN_POINTS = 10

HYPERBOLIC = (sinh, cosh, tanh, coth, sech, csch)


def _hyperbolic_as_exp(difference: Expr) -> Expr:
    """simplify does not see that (1 + tanh(x/2))/2 is 1/(1 + e^(-x)); written with exp, cancel does."""
    if not difference.has(*HYPERBOLIC):
        return difference  # nothing to rewrite: the cancel step before has already tried this
    return cancel(together(difference.rewrite(HYPERBOLIC, exp)))


# (step, seconds it may take at most)
SYMBOLIC_STEPS = (
    (expand, 1.0),
    (lambda d: cancel(together(d)), 1.0),
    (lambda d: cancel(expand_log(d)), 1.0),  # log rules hold where the assumptions say positive
    (_hyperbolic_as_exp, 1.0),
    (simplify, 3.0),
)


@dataclass(frozen=True)
class Counterexample:
    point: Point              # only the symbols either side depends on
    answer: Expr              # exact Rational or certified Float
    expected: Expr
    near_breakpoint: bool = False  # found beside a place where floor/abs/… change


@dataclass(frozen=True)
class Evidence:
    """What a numeric pass rests on."""
    random_points: int                 # random points where both sides were defined and agreed
    breakpoint_points: int = 0         # points beside places of change where both agreed
    functions: tuple[str, ...] = ()    # the piecewise functions whose places were crossed


@dataclass(frozen=True)
class Verdict:
    equivalent: bool | None            # None: could not be decided
    method: str | None = None          # "symbolic" (a proof) | "numeric" (evidence only)
    counterexample: Counterexample | None = None
    reason: str | None = None          # when undecided: "time" or "undefined"
    evidence: Evidence | None = None   # for a numeric pass


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
        self.crossings = Crossings(table, points)
        self._values: dict[tuple[Expr, tuple], Expr | None] = {}
        self._prepared: dict[Expr, Expr] = {}

    def compare(self, answer: Expr, expected: Expr, deadline: Deadline) -> Verdict:
        a, b = self._prepare(answer, deadline), self._prepare(expected, deadline)
        screen = self._scan(a, b, self._random_points(), deadline.within(0.3), SCREEN_POINTS)
        if screen.counterexample:
            return Verdict(False, "numeric", screen.counterexample)
        if self._proves_zero(a - b, deadline.within(0.6)):
            return Verdict(True, "symbolic")
        return self._numeric_verdict(a, b, deadline)

    def compare_numerically(self, answer: Expr, expected: Expr, deadline: Deadline) -> Verdict:
        """Step 3 alone, without the chance of a proof (the tests use it to check that equal
        expressions also agree numerically everywhere the sampler looks)."""
        a, b = self._prepare(answer, deadline), self._prepare(expected, deadline)
        return self._numeric_verdict(a, b, deadline)

    def _prepare(self, expr: Expr, deadline: Deadline) -> Expr:
        """What is compared: derived quantities and declared functions written out, sums and
        products in closed form where sympy finds one (cached: the answer meets every mistake)."""
        if expr not in self._prepared:
            expanded = self.table.expand_definitions(expr)
            self._prepared[expr] = close_sums(expanded, deadline.within(CLOSING_SHARE))
        return self._prepared[expr]

    def _numeric_verdict(self, a: Expr, b: Expr, deadline: Deadline) -> Verdict:
        scan = self._scan(a, b, self._random_points(), deadline, WANTED_POINTS)
        if scan.counterexample:
            return Verdict(False, "numeric", scan.counterexample)
        if scan.timed_out:
            return Verdict(None, reason="time")
        if scan.agreed < MIN_POINTS:
            return Verdict(None, reason="undefined")
        steps = sorted(steps_in(a) | steps_in(b), key=str)
        try:
            beside = self._breakpoint_points(steps, deadline)
        except OutOfTime:  # random agreement alone is no evidence for a piecewise answer
            return Verdict(None, reason="time")
        sides = self._scan(a, b, beside, deadline, near_breakpoint=True)
        if sides.counterexample:
            return Verdict(False, "numeric", sides.counterexample)
        if sides.timed_out:
            return Verdict(None, reason="time")
        functions = tuple(sorted({step.function for step in steps})) if sides.agreed else ()
        return Verdict(True, "numeric", evidence=Evidence(scan.agreed, sides.agreed, functions))

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

    def _random_points(self):
        """The seeded points in order, until the source runs dry (the scan stops earlier)."""
        index = 0
        while (point := self.points.point(index)) is not None:
            yield point
            index += 1

    def _breakpoint_points(self, steps, deadline: Deadline) -> list[Point]:
        """The points beside every step's places, each once (raises OutOfTime)."""
        points: dict[tuple, Point] = {}
        for step in steps:
            for point in self.crossings.points(step, deadline):
                points.setdefault(tuple(point.values()), point)
        return list(points.values())

    def _scan(self, a: Expr, b: Expr, points, deadline: Deadline, wanted: int | None = None,
              near_breakpoint: bool = False) -> _Scan:
        scan = _Scan()
        relevant = a.free_symbols | b.free_symbols  # the coordinates a counterexample shows
        try:
            with deadline.limit():
                for point in points:
                    value_a, value_b = self._value(a, point), self._value(b, point)
                    if value_a is None or value_b is None:
                        continue  # undefined or complex here: not evidence either way
                    if not close(value_a, value_b):
                        shown = {s: v for s, v in point.items() if s in relevant}
                        scan.counterexample = Counterexample(shown, value_a, value_b, near_breakpoint)
                        break
                    scan.agreed += 1
                    if wanted is not None and scan.agreed >= wanted:
                        break
        except OutOfTime:
            scan.timed_out = True
        return scan

    def _value(self, expr: Expr, point: Point) -> Expr | None:
        key = (expr, tuple(point.values()))
        if key not in self._values:
            self._values[key] = value_at(expr, point)
        return self._values[key]
