"""Points on both sides of the places where a piecewise function changes.

floor(g), ceiling(g) and frac(g) jump where g reaches an integer; Abs(g), sign(g),
Heaviside(g), Max/Min and Piecewise change where g (a difference of two arguments, a side of a
condition) changes sign. Two expressions can agree at every random point and still differ
beyond such a place (`x + floor(x/10^9)` against `x`), so random points alone are no evidence
for them: the checker also looks on both sides of these places.

The places are found along coordinate lines: for each step g, each of a few sampled base points
and each symbol of g, the other symbols are fixed at the base point and g becomes a function of
one variable t. Its crossings of the nearest levels (0 for a sign; the integers just below and
above g's value at the base point for floor and ceiling) are located exactly when g is a
rational function of t (the roots of a polynomial, isolated with rational bounds), otherwise
with sympy's solve (time-capped: log(t) = 30 gives e^30, far beyond any random point), and
when that fails by bisection between the points of a log-spaced grid where g - level changes
sign. The points just
before, at (when the place is an exact rational) and just after each place are kept if they are
allowed values (domain, declared range, constraints).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sympy import (Abs, Expr, Heaviside, Integer, Max, Min, Piecewise, Poly, Rational, Symbol,
                   ceiling, floor, fraction, frac, preorder_traversal, sign, solve, together)
from sympy.core.relational import Relational

from .sampling import Point, PointSource, allowed, buildable, substitute, value_at
from .table import DeclaredSymbol, SymbolTable
from .timebox import Deadline, OutOfTime

BASE_POINTS = 5             # lines are drawn through this many sampled points
MAX_DEGREE = 8              # beyond this a polynomial is left to solve or bisection
RELATIVE_GAP = Rational(1, 10**9)  # how close to a place the points on its sides lie
BISECTION_STEPS = 50
GRID_DECADES = range(-9, 10)  # the bisection grid: ±10^-9 … ±10^9, two points per decade
MAX_PLACES_PER_LINE = 4
SOLVE_SECONDS = 0.5         # sympy's solve on one line, at most

INTEGER_STEPS = (floor, ceiling, frac)
SIGN_STEPS = (Abs, sign, Heaviside)


@dataclass(frozen=True)
class Step:
    argument: Expr
    integer_levels: bool   # True: changes at each integer value of the argument; False: at 0
    function: str          # the name shown to the student: floor, ceiling, abs, …


def steps_in(expr: Expr) -> set[Step]:
    """The places-of-change of every piecewise function in expr (arguments with symbols only)."""
    found = set()
    for node in preorder_traversal(expr):
        for argument, integer_levels in _step_arguments(node):
            if argument.free_symbols:
                found.add(Step(argument, integer_levels, _display_name(node)))
    return found


def _step_arguments(node: Expr) -> list[tuple[Expr, bool]]:
    if isinstance(node, INTEGER_STEPS):
        return [(node.args[0], True)]
    if isinstance(node, SIGN_STEPS):
        return [(node.args[0], False)]
    if isinstance(node, (Max, Min)):
        args = node.args
        return [(a - b, False) for i, a in enumerate(args) for b in args[i + 1:]]
    if isinstance(node, Piecewise):
        return [(relation.lhs - relation.rhs, False) for _, condition in node.args
                for relation in getattr(condition, "atoms", lambda *_: ())(Relational)]
    return []


def _display_name(node: Expr) -> str:
    name = type(node).__name__
    return {"Abs": "abs", "ceiling": "ceil"}.get(name, name.lower())


class Crossings:
    """Points on both sides of each step's places, cached per step for one request.

    Manages its own time limits (a solve gets at most SOLVE_SECONDS), so it must not be called
    inside another limit; OutOfTime means the deadline passed before the search was complete."""

    def __init__(self, table: SymbolTable, source: PointSource):
        self.table = table
        self.source = source
        self._points: dict[Step, list[Point]] = {}
        self._places: dict[tuple[Expr, Symbol], list[_Place]] = {}
        self._unsolved: set[Step] = set()  # solve failed once (too slow, unknown): bisect the rest

    def points(self, step: Step, deadline: Deadline) -> list[Point]:
        if step not in self._points:
            self._points[step] = self._search(step, deadline)
        return self._points[step]

    def _search(self, step: Step, deadline: Deadline) -> list[Point]:
        found: dict[tuple, Point] = {}
        for index in range(BASE_POINTS):
            with deadline.limit():
                base = self.source.point(index)
                # exact arithmetic along lines through some points would build gigantic numbers
                usable = base is not None and buildable(step.argument, base)
            if base is None:
                break
            if not usable:
                continue
            for info in self.table.symbols.values():
                if info.symbol in step.argument.free_symbols:
                    for point in self._along(step, base, info, deadline):
                        found.setdefault(tuple(point.values()), point)
        return list(found.values())

    def _along(self, step: Step, base: Point, info: DeclaredSymbol, deadline: Deadline) -> list[Point]:
        """Allowed points on both sides of the step's places on the line through base along
        one symbol."""
        variable = info.symbol
        try:
            with deadline.limit():
                line = substitute(step.argument, {s: v for s, v in base.items() if s != variable})
                levels = _levels(step, value_at(line, {variable: base[variable]}))
            points = []
            for level in levels:
                places = self._places_of(step, line - level, variable, deadline)
                with deadline.limit():
                    for value in _sides(places, info.is_integer):
                        point = dict(base)
                        point[variable] = value
                        if allowed(self.table, point):
                            points.append(point)
            return points
        except (MemoryError, OutOfTime):
            raise
        except Exception:  # sympy cannot handle this line (a polynomial it cannot build, …)
            return []

    def _places_of(self, step: Step, function: Expr, t: Symbol, deadline: Deadline) -> list[_Place]:
        """Where function changes sign: the zeros and poles of a rational function, else what
        sympy's solve finds (within SOLVE_SECONDS), else bisection on a grid. Cached: a step in
        one symbol has the same line through every base point."""
        key = (function, t)
        if key in self._places:
            return self._places[key]
        with deadline.limit():
            places = _rational_function_places(function, t)
        if places is None and step not in self._unsolved:
            places = _solved_places(function, t, deadline)
            if places is None:
                self._unsolved.add(step)
        if places is None:
            with deadline.limit():
                places = _bisected_places(function, t)
        self._places[key] = places
        return places


def _levels(step: Step, here: Expr | None) -> list[Expr]:
    """The levels whose crossings matter near a point where the argument is `here`."""
    if here is None:
        return []
    if step.integer_levels:  # the integers just below (or at) and above its value here
        below = floor(here)
        return [below, below + 1]
    return [Integer(0)]


@dataclass(frozen=True)
class _Place:
    below: Rational
    above: Rational
    exact: Rational | None = None   # the place itself, when it is rational


def _solved_places(function: Expr, t: Symbol, deadline: Deadline) -> list[_Place] | None:
    """The real solutions sympy finds (for periodic functions only the principal ones), or
    None when it cannot solve the equation (in time)."""
    try:
        with deadline.limit(SOLVE_SECONDS):
            roots = solve(function, t)
    except OutOfTime:
        if deadline.expired():
            raise
        return None
    except Exception:  # NotImplementedError and its relatives: sympy does not know how
        return None
    places = []
    with deadline.limit():
        for root in roots:
            value = value_at(root, {})
            if value is not None:
                places.append(_around(Rational(value), exact=value.is_Rational))
    return places


def _around(place: Rational, exact: bool) -> _Place:
    gap = RELATIVE_GAP * max(1, abs(place))
    return _Place(place - gap, place + gap, place if exact else None)


def _rational_function_places(function: Expr, t: Symbol) -> list[_Place] | None:
    """The real zeros and poles of a rational function of t with rational coefficients, or None
    when function is not one (or its degree is too high to be worth it)."""
    if _degree_bound(function, t) > MAX_DEGREE:  # checked first: never expand (t + 1)^1000
        return None
    numerator, denominator = fraction(together(function))
    places = []
    for part in (numerator, denominator):
        if t not in part.free_symbols:
            continue
        try:
            poly = Poly(part, t)
        except Exception:  # not a polynomial in t
            return None
        if poly.degree() > MAX_DEGREE or not (poly.domain.is_ZZ or poly.domain.is_QQ):
            return None  # irrational coefficients (pi, log 2) or a high degree: bisect instead
        places += _polynomial_places(poly)
    return places


def _degree_bound(expr: Expr, t: Symbol) -> float:
    """An upper bound on the degree in t of the numerator and denominator of expr brought to
    one fraction (sums add degrees, since bringing terms to a common denominator multiplies
    them); infinite when expr is not a rational function of t."""
    if t not in expr.free_symbols:
        return 0
    if expr == t:
        return 1
    if expr.is_Add or expr.is_Mul:
        return sum(_degree_bound(arg, t) for arg in expr.args)
    if expr.is_Pow and expr.exp.is_Integer:
        return abs(int(expr.exp)) * _degree_bound(expr.base, t)
    return math.inf


def _polynomial_places(poly: Poly) -> list[_Place]:
    places = []
    for factor, _ in poly.factor_list()[1]:
        if factor.degree() == 1:
            places.append(_around(-factor.nth(0) / factor.nth(1), exact=True))
            continue
        for (low, high), _ in factor.intervals():
            low, high = factor.refine_root(low, high, eps=RELATIVE_GAP * max(1, abs(low), abs(high)))
            places.append(_Place(Rational(low), Rational(high)))
    return places


def _bisected_places(function: Expr, t: Symbol) -> list[_Place]:
    """Sign changes of function between neighbouring points of a log-spaced grid, narrowed down."""
    grid = _grid()
    signs = [_sign_at(function, t, x) for x in grid]
    places = []
    for (left, s_left), (right, s_right) in zip(zip(grid, signs), zip(grid[1:], signs[1:])):
        if s_left is not None and s_right is not None and s_left != s_right:
            places.append(_bisect(function, t, left, right, s_left))
            if len(places) == MAX_PLACES_PER_LINE:
                break
    return places


def _grid() -> list[Rational]:
    positive = [Rational(10) ** k * m for k in GRID_DECADES for m in (1, 3)]
    return sorted([-x for x in positive] + [Integer(0)] + positive)


def _bisect(function: Expr, t: Symbol, left: Rational, right: Rational, left_sign: int) -> _Place:
    for _ in range(BISECTION_STEPS):
        middle = (left + right) / 2
        middle_sign = _sign_at(function, t, middle)
        if middle_sign is None:
            break
        if middle_sign == left_sign:
            left = middle
        else:
            right = middle
    return _Place(left, right)


def _sign_at(function: Expr, t: Symbol, x: Rational) -> int | None:
    value = value_at(function, {t: x})
    if value is None:
        return None
    return bool(value > 0) - bool(value < 0)


def _sides(places: list[_Place], integer: bool) -> list[Rational]:
    """The values to try around each place: for an integer variable the integers around it
    (when bisection could not narrow a place down to a few integers, none)."""
    values = []
    for place in places:
        if integer:
            low, high = math.floor(place.below), math.ceil(place.above)
            values += [Integer(n) for n in range(low - 1, high + 2)] if high - low < 4 else []
        else:
            values += [place.below, place.above] + ([place.exact] if place.exact is not None else [])
    return values
