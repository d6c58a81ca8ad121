"""Finite sums and products (`\\sum_{i=1}^{n} …`, `\\prod_{s=1}^{t} …`): what may be read, the
closed forms, and their terms at a point.

Read: the index is a name bound to the sum (a fresh integer Dummy, so it never meets a declared
symbol of the same name); both bounds must be whole numbers (integer expressions of integer
symbols); a sum with numeric bounds has at most MAX_NUMERIC_TERMS terms. Refused by name: a
symbol subscripted by the index (`\\alpha_s` when the exercise has no sequence α_1, α_2, …), and
floor, ceiling or |…| of the index in the body (their places of change could not be searched).

Closed: before comparing, each sum or product is replaced by sympy's `doit()` form, innermost
first, each within CLOSE_SECONDS; one that does not close in time is kept.
At a point: a sum that stayed open is added up term by term when it has at most
MAX_TERMS_AT_POINT terms (else the point is skipped). A range whose upper bound lies below the
lower one follows sympy's (Karr's) convention, as its closed forms do: empty (0, or 1 for a
product) when upper = lower − 1, and Σ_{a}^{b} = −Σ_{b+1}^{a−1}, Π_{a}^{b} = 1/Π_{b+1}^{a−1} below.
"""

from __future__ import annotations

import re

from sympy import Abs, Add, Dummy, Expr, Integer, Mul, Product, Sum, ceiling, floor, preorder_traversal

from .errors import AnswerError
from .timebox import Deadline, OutOfTime

MAX_NUMERIC_TERMS = 1000    # a sum with numeric bounds, e.g. \sum_{i=1}^{10^{12}}, is refused beyond
MAX_TERMS_AT_POINT = 1000   # an open sum is added up at a point only up to this many terms
CLOSE_SECONDS = 1.0         # sympy's doit() on one sum or product, at most
CLOSING_SHARE = 0.3         # of a comparison's time, for closing all of its sums
BIG_OPERATORS = (Sum, Product)
_INDEX_STEPS = (floor, ceiling, Abs)
_IDENTIFIER = re.compile(r"[A-Za-z]+")


def word(kind: str) -> str:
    return "sum" if kind == "sum" else "product"


def build(kind: str, body: Expr, index: Dummy, lower: Expr, upper: Expr) -> Expr:
    return (Sum if kind == "sum" else Product)(body, (index, lower, upper))


def index_symbol(name: str) -> Dummy:
    return Dummy(name, integer=True)


def indexed_by(name: str, index: str) -> bool:
    """`name` carries the index in its subscript: alpha_s for s, x_{i-1} for i (not L_in for i)."""
    _, _, subscript = name.partition("_")
    return index in _IDENTIFIER.findall(subscript)


class IndexedSymbol(AnswerError):
    """A symbol subscripted by a summation index that is not a sequence of the exercise."""


def indexed_symbol_error(name: str, index: str, kind: str, position: int, table) -> AnswerError:
    head = name.partition("_")[0]
    members = [f"{head}_{n}" for n in range(3) if table.lookup(f"{head}_{n}") is not None]
    if members:  # sigma_1, sigma_2 are declared, but as separate symbols, not as a sequence
        return IndexedSymbol(
            f"'{name}' is indexed by the summation index {index}: a {word(kind)} over the declared "
            f"symbols {', '.join(members)} by their index is not supported. Write its terms out "
            f"({' + '.join(members) if kind == 'sum' else '·'.join(members)} …).", position)
    return IndexedSymbol(
        f"'{name}' is indexed by the summation index {index}, but {head} is not a sequence in this "
        f"exercise (there is no {head}_1, {head}_2, …): sums over an index of a symbol that is not "
        f"indexed are not supported. Write the {word(kind)} in closed form with the declared symbols: "
        f"{table.describe_symbols()}.", position)


def check_bounds(kind: str, lower: Expr, upper: Expr, position: int) -> None:
    for which, bound in (("lower", lower), ("upper", upper)):
        if bound.is_integer is not True:
            loose = sorted(str(s) for s in bound.free_symbols if s.is_integer is not True)
            why = (f" ({', '.join(loose)} may take values that are not whole numbers here)" if loose
                   else "")
            raise AnswerError(f"The {which} bound of the {word(kind)} at character {position + 1}, "
                              f"{bound}, is not a whole number{why}: a {word(kind)} runs over the whole "
                              "numbers from its lower bound to its upper one.", position)
    count = upper - lower + 1
    if count.is_number and abs(count) > MAX_NUMERIC_TERMS:
        raise AnswerError(f"A {word(kind)} with numeric bounds may have at most {MAX_NUMERIC_TERMS} "
                          f"terms; the one at character {position + 1} has {count}. Give its closed "
                          "form instead.", position)


def check_body(kind: str, body: Expr, index: Dummy, position: int) -> None:
    for node in preorder_traversal(body):
        if isinstance(node, _INDEX_STEPS) and index in node.free_symbols:
            raise AnswerError(
                f"floor, ceiling and |…| of the summation index {index.name} are not supported inside "
                f"a {word(kind)} (at character {position + 1}): the checker could not look on both "
                f"sides of the places where they change. Write the {word(kind)} without them.", position)


# ---------------------------------------------------------------- closed forms

def close_sums(expr: Expr, deadline: Deadline) -> Expr:
    """expr with each sum and product replaced by its closed form where sympy finds one in time.
    Must not be called inside another time limit."""
    if not expr.has(*BIG_OPERATORS):
        return expr
    args = [close_sums(arg, deadline) for arg in expr.args]
    rebuilt = expr.func(*args) if args != list(expr.args) else expr
    if isinstance(rebuilt, BIG_OPERATORS) and not rebuilt.function.has(*BIG_OPERATORS):
        return _closed_form(rebuilt, deadline)
    return rebuilt


def _closed_form(expr: Expr, deadline: Deadline) -> Expr:
    try:
        with deadline.limit(CLOSE_SECONDS):
            return expr.doit(deep=False)
    except OutOfTime:
        return expr  # kept open: added up term by term at the points where that is cheap
    except Exception:  # sympy could not handle it: the same
        return expr


# ---------------------------------------------------------------- at a point

def outermost(expr: Expr) -> tuple[Expr, Expr, Expr, Expr]:
    """(body, index, lower, upper) of the outermost range: sympy merges \\sum_i \\sum_j into one
    Sum with two ranges, the last one outermost; the body is then the inner sum."""
    *inner, (index, lower, upper) = expr.limits
    body = expr.func(expr.function, *inner) if inner else expr.function
    return body, index, lower, upper


def index_range(lower: Integer, upper: Integer) -> tuple[range, bool]:
    """The index values of a range with integer bounds, and whether Karr's convention reverses it."""
    low, high = int(lower), int(upper)
    if high >= low - 1:
        return range(low, high + 1), False
    return range(high + 1, low), True


def term_count(lower: Integer, upper: Integer) -> int:
    return len(index_range(lower, upper)[0])


def combine(expr: Expr, terms: list[Expr], reversed_range: bool) -> Expr:
    """The value of the sum or product `expr` from its terms."""
    if isinstance(expr, Sum):
        total = Add(*terms)
        return -total if reversed_range else total
    total = Mul(*terms)
    return 1 / total if reversed_range else total
