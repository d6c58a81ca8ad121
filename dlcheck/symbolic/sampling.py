"""Numeric evidence: seeded random points on the declared domains, and exact-then-30-digit values.

Points are exact numbers (Integers for integer symbols, Rationals with a prime denominator
otherwise), so floor and ceiling are exact at integer points; values are taken with
`xreplace` + `evalf(30)` (never lambdify). A point that violates a constraint is never
produced; a point where an expression is undefined or complex is skipped by the caller.
"""

from __future__ import annotations

import math
import operator
import random

from sympy import Expr, Float, Integer, Pow, Rational, Symbol, exp

from .table import Constraint, SymbolTable

SEED = 20240521
DENOMINATOR = 997        # prime: sampled reals rarely hit "nice" values like 1/2
MAX_ATTEMPTS = 400       # random draws spent looking for points that satisfy the constraints
MAX_EXPONENT_AT_POINT = 1000  # x^(y^z) at a point must stay a reasonable size
PRECISION = 30

Point = dict[Symbol, Expr]
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "!=": operator.ne}


class PointSource:
    """The same sequence of valid points for every comparison of one request."""

    def __init__(self, table: SymbolTable, seed: int = SEED):
        self.table = table
        self.rng = random.Random(seed)
        self.points: list[Point] = []
        self.attempts = 0

    def point(self, index: int) -> Point | None:
        """The index-th point satisfying the constraints, or None when no more can be found."""
        while len(self.points) <= index and self.attempts < MAX_ATTEMPTS:
            self.attempts += 1
            candidate = {info.symbol: self._draw(info.sample, info.is_integer)
                         for info in self.table.symbols.values()}
            if all(_holds(c, candidate) for c in self.table.constraints):
                self.points.append(candidate)
        return self.points[index] if index < len(self.points) else None

    def _draw(self, sample: tuple[float, float], integer: bool) -> Expr:
        low, high = sample
        if integer:
            return Integer(self.rng.randint(math.ceil(low), math.floor(high)))
        return Rational(self.rng.randint(math.ceil(low * DENOMINATOR), math.floor(high * DENOMINATOR)),
                        DENOMINATOR)


def value_at(expr: Expr, point: Point) -> Float | None:
    """expr at point as a 30-digit Float; None where it is undefined, complex or too large."""
    try:
        if not _exponents_small(expr, point):
            return None
        value = expr.xreplace(point).evalf(PRECISION)
        if not value.is_number or not value.is_extended_real or not value.is_finite:
            return None
        return Float(value, PRECISION)
    except MemoryError:
        raise
    except Exception:  # sympy could not evaluate it here: as good as undefined
        return None


def _exponents_small(expr: Expr, point: Point) -> bool:
    """Refuse points where an exponent gets large: 3^(3^(3^3)) or exp(exp(exp(exp(3)))) must
    never be evaluated (exactly, or with the precision mpmath would need)."""
    for node in expr.atoms(Pow, exp):
        exponent = node.exp if node.is_Pow else node.args[0]
        if node.is_Pow and not exponent.free_symbols:
            continue  # numeric exponents were capped by the parser
        value = value_at(exponent, point)
        if value is None or abs(value) > MAX_EXPONENT_AT_POINT:
            return False
    return True


def _holds(constraint: Constraint, point: Point) -> bool:
    left, right = value_at(constraint.left, point), value_at(constraint.right, point)
    if left is None or right is None:
        return False
    return bool(_COMPARE[constraint.relation](left, right))


def close(a: Float, b: Float, rtol: float = 1e-9) -> bool:
    """Equal up to a relative 1e-9 (with a tiny absolute floor for values that should be 0)."""
    return abs(a - b) <= rtol * max(abs(a), abs(b)) + Float("1e-20", PRECISION)
