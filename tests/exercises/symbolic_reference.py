"""Reading a symbolic exercise's expressions with the grader's own parser, for oracle checks in tests."""

from __future__ import annotations

from pathlib import Path

from dlcheck.spec import load_spec, to_data
from dlcheck.symbolic.parser import parse
from dlcheck.symbolic.table import build_table

REPO = Path(__file__).resolve().parents[2]


def expression(exercise_id: str, text: str | None = None):
    """(sympy expression, symbol table) for `text`, or for the reference in solutions/<id>.txt."""
    spec = load_spec(REPO / "exercises" / f"{exercise_id}.yaml")
    table = build_table({"symbols": to_data(spec.symbols)})
    if text is None:
        text = (REPO / "solutions" / f"{exercise_id}.txt").read_text(encoding="utf-8")
    return parse(text, table), table


def value_at(exercise_id: str, text: str | None = None, **point):
    """The expression (the reference by default) evaluated at a point, to 30 digits."""
    expr, table = expression(exercise_id, text)
    return expr.subs({table.lookup(name): value for name, value in point.items()}).evalf(30)
