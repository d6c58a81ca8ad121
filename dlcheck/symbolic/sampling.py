"""Numeric evidence: seeded points on the whole declared domains, and exact-or-certified values.

Where the points come from (all from one `random.Random(seed)`, so a request's `seed` decides
them and the default seed keeps replies reproducible):
- the first MODERATE_FIRST points lie in a small "moderate" box per domain (|x| ≲ 3, integers
  up to 12): a counterexample found there is easy to read;
- after that each coordinate is drawn from the moderate box with probability MODERATE_SHARE and
  otherwise from the **whole domain**, log-uniformly over 10^-6 … 10^6 in magnitude (both signs
  for reals and integers, exact 0 now and then where the domain holds it, both ends of (0, 1)
  for `unit_interval`).
A declared `sample: [low, high]` replaces the domain's range: it says the symbol only takes
values there (e.g. a JS divergence lies in [0, log 2]).

Points are exact numbers (Integers for integer symbols, Rationals whose denominator has the
prime factor 997 otherwise, so "nice" values like 1/2 are rare), and no point violates a domain
or a constraint. Values are exact when sympy's exact arithmetic gives a rational, otherwise a
30-digit Float that sympy certifies (`evalf(strict=True)`: a result whose digits it cannot
guarantee, e.g. 1 − σ(2000) or a difference that is exactly 0, raises instead and the point
is skipped). Points where exact arithmetic would build gigantic numbers are skipped too.
"""

from __future__ import annotations

import math
import operator
import random

from sympy import (Abs, Expr, Float, Function, Heaviside, Integer, Piecewise, Pow, Rational, Symbol,
                   acosh, acoth, acsch, asech, asinh, atanh, ceiling, cosh, csch, exp, floor, frac, log,
                   sech, sign, sinh)
from sympy.core.evalf import PrecisionExhausted
from sympy.core.function import AppliedUndef
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction, InverseTrigonometricFunction

from . import sums
from .table import Constraint, DeclaredSymbol, SymbolTable

SEED = 20240521
DENOMINATOR = 997            # prime: sampled reals rarely hit "nice" values like 1/2
SIGNIFICANT_DIGITS = 7       # of a whole-domain real draw
WIDE_DECADES = 6             # whole-domain draws: magnitudes 10^-6 … 10^6 (integers 1 … 10^6)
MODERATE_FIRST = 3           # points drawn entirely from the moderate box (the quick screen's)
MODERATE_SHARE = 1 / 3       # afterwards, the chance that one coordinate is drawn from that box
ZERO_SHARE = 1 / 20          # how often a domain that contains 0 draws exactly 0
MAX_ATTEMPTS = 400           # random draws spent looking for points that satisfy the constraints
MAX_EXPONENT_AT_POINT = 1000  # x^y, exp(y) at a point: |y| at most this
MAX_DIGITS_AT_POINT = 100_000  # bound on the digits exact arithmetic may build at a point
PRECISION = 30               # digits of a non-rational value
MAX_WORKING_DIGITS = 300     # evalf may work this precisely to certify those 30 digits
RELATIVE_TOLERANCE = Float("1e-20", PRECISION)  # certified 30-digit values: 10 digits to spare
MAX_SPECIAL_ARGUMENT = 1000  # factorial(n), harmonic(n), … (from closed sums) only up to this |n|

# Functions that grow like exp of their argument: their argument is bounded like an exponent.
EXPONENTIAL_GROWTH = (exp, sinh, cosh, sech, csch)
# Functions whose values at a point are cheap at any argument; any other function (factorial,
# harmonic, gamma, … which closed sums bring in) is only evaluated for arguments up to
# MAX_SPECIAL_ARGUMENT: sympy computes factorial(10^6) exactly, digit by digit.
_ELEMENTARY = (exp, log, TrigonometricFunction, InverseTrigonometricFunction, HyperbolicFunction,
               asinh, acosh, atanh, acoth, asech, acsch, floor, ceiling, frac, Abs, sign, Heaviside,
               Piecewise, AppliedUndef)

Point = dict[Symbol, Expr]
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "!=": operator.ne}


class PointSource:
    """The same sequence of valid points for every comparison of one request."""

    def __init__(self, table: SymbolTable, seed: int | None = None):
        self.table = table
        self.rng = random.Random(SEED if seed is None else seed)
        self.points: list[Point] = []
        self.attempts = 0

    def point(self, index: int) -> Point | None:
        """The index-th point satisfying the constraints, or None when no more can be found."""
        while len(self.points) <= index and self.attempts < MAX_ATTEMPTS:
            self.attempts += 1
            moderate = len(self.points) < MODERATE_FIRST
            candidate = {info.symbol: self._draw(info, moderate or self.rng.random() < MODERATE_SHARE)
                         for info in self.table.symbols.values()}
            if allowed(self.table, candidate):
                self.points.append(candidate)
        return self.points[index] if index < len(self.points) else None

    def _draw(self, info: DeclaredSymbol, moderate: bool) -> Expr:
        if info.sample is not None:
            return self._in_interval(info.sample, info.is_integer, log_scale=not moderate)
        if moderate:
            return self._in_interval(info.moderate, info.is_integer, log_scale=False)
        return self._whole_domain(info.domain)

    def _in_interval(self, interval: tuple[float, float], integer: bool, log_scale: bool) -> Expr:
        low, high = interval
        if log_scale and low > 0 and high / low >= 10:
            value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
            return Integer(round(value)) if integer else _exact(value)
        if integer:
            return Integer(self.rng.randint(math.ceil(low), math.floor(high)))
        return Rational(self.rng.randint(math.ceil(low * DENOMINATOR), math.floor(high * DENOMINATOR)),
                        DENOMINATOR)

    def _whole_domain(self, domain: str) -> Expr:
        rng = self.rng
        if domain == "unit_interval":  # both ends of (0, 1), log-scale
            small = _exact(10 ** rng.uniform(-WIDE_DECADES, 0))
            return small if rng.random() < 0.5 else 1 - small
        holds_zero = domain in ("real", "nonnegative", "integer", "nonnegative_integer")
        if holds_zero and rng.random() < ZERO_SHARE:
            return Integer(0)
        negative = domain == "negative" or (domain in ("real", "integer") and rng.random() < 0.5)
        if domain.endswith("integer"):
            magnitude = Integer(round(10 ** rng.uniform(0, WIDE_DECADES)))
        else:
            magnitude = _exact(10 ** rng.uniform(-WIDE_DECADES, WIDE_DECADES))
        return -magnitude if negative else magnitude


def _exact(value: float) -> Rational:
    """A rational within SIGNIFICANT_DIGITS of a positive float, with 997 in its denominator."""
    exponent = math.floor(math.log10(value))
    scale = DENOMINATOR * 10 ** max(0, SIGNIFICANT_DIGITS - 1 - exponent)
    return Rational(max(1, round(value * scale)), scale)


def allowed(table: SymbolTable, point: Point) -> bool:
    """Every coordinate in its domain (and declared sample range) and every constraint holds."""
    for info in table.symbols.values():
        if not info.admits(point[info.symbol]):
            return False
    return all(_holds(c, point) for c in table.constraints)


def value_at(expr: Expr, point: Point) -> Expr | None:
    """expr at point: an exact Rational, or a certified 30-digit Float; None where it is
    undefined, complex, not certifiable or too large to build."""
    try:
        if not buildable(expr, point):
            return None
        exact = substitute(expr, point)
        if exact.is_Rational:
            return exact
        value = exact.evalf(PRECISION, strict=True, maxn=MAX_WORKING_DIGITS)
        if not value.is_Float or not value.is_finite:
            return None  # complex, infinite or not a number
        return value
    except MemoryError:
        raise
    except PrecisionExhausted:
        return None  # sympy cannot vouch for the digits here: no evidence either way
    except Exception:  # sympy could not evaluate it here: as good as undefined
        return None


def buildable(expr: Expr, point: Point) -> bool:
    """Exact arithmetic can put the point into expr without building gigantic numbers."""
    return _size_at(expr, point, {}) <= MAX_DIGITS_AT_POINT


def substitute(expr: Expr, point: Point) -> Expr:
    """expr with the point's exact values put in, like xreplace, except that a power with a
    symbolic exponent that is not an integer at the point is left unevaluated for evalf:
    sympy's exact x^(123456/99700) hunts for perfect powers and can take seconds."""
    if expr.is_Symbol:
        return point.get(expr, expr)
    if isinstance(expr, sums.BIG_OPERATORS):
        return _added_up(expr, point)
    if not expr.args or not expr.free_symbols:
        return expr
    args = [substitute(arg, point) for arg in expr.args]
    if expr.is_Pow and expr.exp.free_symbols and not args[1].is_Integer:
        return Pow(*args, evaluate=False)
    return expr.func(*args)


def _added_up(expr: Expr, point: Point) -> Expr:
    """A sum or product whose bounds are integers at the point, term by term (sympy's Karr
    convention for a reversed range, as in its closed forms); otherwise left for evalf."""
    body, index, lower, upper = sums.outermost(expr)
    lower, upper = substitute(lower, point), substitute(upper, point)
    if not (lower.is_Integer and upper.is_Integer):
        return expr.func(substitute(body, point), (index, lower, upper))
    values, reversed_range = sums.index_range(lower, upper)
    if len(values) > sums.MAX_TERMS_AT_POINT:
        raise ValueError("too many terms to add up at this point")
    terms = [substitute(body, {**point, index: Integer(value)}) for value in values]
    return sums.combine(expr, terms, reversed_range)


def _size_at(expr: Expr, point: Point, memo: dict) -> float:
    """An upper bound on the decimal digits exact arithmetic builds for expr at point.

    Sums and products add their parts' digits, a power multiplies them by |exponent|; an
    exponent (of a power or exp) whose value at the point is larger than MAX_EXPONENT_AT_POINT
    makes the point unusable: 3^(3^(3^3)) or exp(exp(exp(exp(3)))) is never evaluated."""
    if expr in memo:
        return memo[expr]
    if expr.is_Symbol:
        size = _digits(point.get(expr, Integer(1)))
    elif expr.is_Rational:
        size = _digits(expr)
    elif expr.is_Pow or isinstance(expr, EXPONENTIAL_GROWTH):
        base, exponent = (expr.base, expr.exp) if expr.is_Pow else (Integer(1), expr.args[0])
        scale = _exponent_size(exponent, point, memo)
        size = _size_at(base, point, memo) * max(1.0, scale) + _size_at(exponent, point, memo)
    elif isinstance(expr, sums.BIG_OPERATORS):
        size = _sum_size(expr, point)
    elif isinstance(expr, Function) and not isinstance(expr, _ELEMENTARY):
        size = _special_size(expr, point, memo)
    elif expr.args:
        size = sum(_size_at(arg, point, memo) for arg in expr.args)
    else:
        size = 1.0  # a constant such as pi or E
    memo[expr] = size
    return size


def _sum_size(expr: Expr, point: Point) -> float:
    """Digits of a sum or product at the point: its number of terms times the digits of its
    largest term (the body with the index at either end of its range); inf beyond
    MAX_TERMS_AT_POINT terms."""
    body, index, lower, upper = sums.outermost(expr)
    low, high = value_at(lower, point), value_at(upper, point)
    if low is None or high is None or not (low.is_Integer and high.is_Integer):
        return math.inf
    count = sums.term_count(low, high)
    if count > sums.MAX_TERMS_AT_POINT:
        return math.inf
    term = max(_size_at(body, {**point, index: end}, {}) for end in (low, high))
    return count * term + 1.0


def _special_size(expr: Expr, point: Point, memo: dict) -> float:
    """factorial(n) and its kin: about |n|·log10|n| digits; inf beyond MAX_SPECIAL_ARGUMENT."""
    size = 1.0
    for arg in expr.args:
        value = value_at(arg, point) if _size_at(arg, point, memo) <= MAX_DIGITS_AT_POINT else None
        if value is None or abs(value) > MAX_SPECIAL_ARGUMENT:
            return math.inf
        magnitude = abs(float(value))
        size += _size_at(arg, point, memo) + magnitude * math.log10(magnitude + 2)
    return size


def _exponent_size(exponent: Expr, point: Point, memo: dict) -> float:
    """|exponent| at the point; inf when it is too large, not real, or unsafe to evaluate."""
    if _size_at(exponent, point, memo) > MAX_DIGITS_AT_POINT:
        return math.inf  # checked first: exp(exp(exp(exp(10)))) must never reach evalf
    if not exponent.free_symbols:
        try:
            return abs(float(exponent.evalf(15)))
        except (TypeError, ValueError, OverflowError):  # not real, or beyond a double
            return math.inf
    value = value_at(exponent, point)
    if value is None or abs(value) > MAX_EXPONENT_AT_POINT:
        return math.inf
    return abs(float(value))


def _digits(number: Rational) -> float:
    return float(len(str(abs(number.p))) + len(str(number.q)))


def _holds(constraint: Constraint, point: Point) -> bool:
    left, right = value_at(constraint.left, point), value_at(constraint.right, point)
    if left is None or right is None:
        return False
    return bool(_COMPARE[constraint.relation](left, right))


def close(a: Expr, b: Expr) -> bool:
    """Two values at one point agree: exactly when both are exact, else to a relative 1e-20.

    No absolute floor is needed: a certified Float carries its 30 digits even when it is tiny,
    and an exact 0 only meets an exact 0 or a value within 1e-20 of it relative to itself."""
    if a.is_Rational and b.is_Rational:
        return a == b
    return bool(abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)))
