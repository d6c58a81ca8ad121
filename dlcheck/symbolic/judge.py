"""One request -> one response: read the answer, compare it, diagnose it, explain it.

Runs inside the worker process only (it imports sympy).
"""

from __future__ import annotations

import math
import re

from sympy import Dummy, Expr, Function, Symbol, pretty, sstr
from sympy.printing.pretty.pretty_symbology import pretty_symbol

from .equivalence import Comparer, Counterexample, Verdict
from .errors import AnswerError
from .parser import parse
from .protocol import error_response, make_response
from .sampling import PointSource
from .table import SpecProblem, SymbolTable, build_table
from .timebox import Deadline, OutOfTime

MAIN_SHARE = 0.7      # of the time left, for answer vs reference; diagnosis gets the rest
PRETTY_SECONDS = 1.0
_ACCENT_SUFFIX = re.compile(r"_(bar|hat|tilde|dot|vec)(?=_|$)")


def judge(request: dict, deadline: Deadline) -> dict:
    problem = _request_problem(request)
    if problem:
        return error_response(f"The symbolic checker received a malformed request ({problem}).")
    try:
        with deadline.limit():  # sympy simplifies while building: even reading is timed
            table = build_table(request)
            reference = parse(request["reference"], table)
    except (SpecProblem, AnswerError) as exc:
        detail = exc.message if isinstance(exc, AnswerError) else str(exc)
        return error_response(f"This exercise is misconfigured ({detail}); "
                              "please report it to the course staff.")
    try:
        with deadline.limit():
            answer = parse(_without_comments(request["answer"]), table)
    except AnswerError as exc:
        return error_response(exc.message)
    except OutOfTime:
        return error_response("Reading your answer took too long; write it in a simpler form "
                              "(smaller numbers, fewer nested powers).")
    shown = _rendering(answer, table, deadline)
    if table.uses_derivative(answer) and not table.uses_derivative(reference):
        return make_response("error", "Your answer uses the derivative you are asked to find "
                             "(prime notation); write it out in terms of the function itself.", **shown)
    comparer = Comparer(table, PointSource(table, seed=request.get("seed")))
    verdict = comparer.compare(answer, reference, deadline.within(MAIN_SHARE))
    if verdict.equivalent is None:
        return make_response("error", _undecided_message(verdict, request), **shown)
    if verdict.equivalent:
        return make_response("pass", _pass_message(verdict), method=verdict.method, **shown)
    diagnosis = _diagnose(comparer, answer, request.get("mistakes") or [], table, deadline)
    return make_response("fail", _difference_message(verdict.counterexample, table),
                         method=verdict.method, diagnosis=diagnosis,
                         counterexample=_counterexample_json(verdict.counterexample, table), **shown)


def _request_problem(request) -> str | None:
    if not isinstance(request, dict):
        return "not a JSON object"
    for key in ("answer", "reference"):
        if not isinstance(request.get(key), str):
            return f"'{key}' must be a string"
    seed = request.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        return "'seed' must be an integer"
    mistakes = request.get("mistakes") or []
    if not isinstance(mistakes, list) or not all(
            isinstance(m, dict) and isinstance(m.get("id"), str) and all(isinstance(e, str) for e in _forms(m))
            for m in mistakes):
        return "'mistakes' must be a list of {id, expr, variants}"
    return None


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _forms(mistake: dict) -> list:
    """A mistake's expression, then its variants (other expressions of the same misconception)."""
    variants = mistake.get("variants", [])
    return [mistake.get("expr"), *(variants if isinstance(variants, list) else [None])]  # None: malformed


def _diagnose(comparer: Comparer, answer: Expr, mistakes: list[dict], table: SymbolTable,
              deadline: Deadline) -> str | None:
    """Id of the first listed mistake the answer is equivalent to, through its expression or one of
    its variants (each mistake gets an equal share of the time, each of its forms a share of that)."""
    for position, mistake in enumerate(mistakes):
        share = deadline.within(1 / (len(mistakes) - position))
        forms = _forms(mistake)
        for count, text in enumerate(forms):
            if _equivalent_to(comparer, answer, text, table, share.within(1 / (len(forms) - count))):
                return mistake["id"]
    return None


def _equivalent_to(comparer: Comparer, answer: Expr, text: str, table: SymbolTable, share: Deadline) -> bool:
    try:
        with share.limit():
            expr = parse(text, table)
    except (AnswerError, OutOfTime):
        return False  # a broken mistake must not hide the student's result
    return bool(comparer.compare(answer, expr, share).equivalent)


# ---------------------------------------------------------------- how the answer was read

def _rendering(answer: Expr, table: SymbolTable, deadline: Deadline) -> dict:
    answer = _index_names(answer)
    try:
        text = sstr(answer)
    except (ArithmeticError, ValueError):  # ordering the terms evaluates them: exp(exp(exp(exp(10))))
        text = sstr(answer, order="none")
    try:
        with deadline.limit(PRETTY_SECONDS):
            shown = pretty(_display_names(answer, table), use_unicode=True)
    except (OutOfTime, ArithmeticError, ValueError):
        shown = text
    return {"read_as": shown, "read_as_text": text}


def _index_names(expr: Expr) -> Expr:
    """A sum's index is a Dummy (so that it never meets a declared symbol); shown by its name, not _i."""
    return expr.xreplace({index: Symbol(index.name) for index in expr.atoms(Dummy)})


def _display_names(expr: Expr, table: SymbolTable) -> Expr:
    """alpha_bar_t -> alphabar_t, which sympy's pretty printer shows as ᾱₜ; sigma' -> σ′."""
    renamed = {}
    for info in table.symbols.values():
        display = _ACCENT_SUFFIX.sub(r"\1", info.name)
        if display != info.name:
            renamed[info.symbol] = Symbol(display, **info.symbol.assumptions0)
    expr = expr.xreplace(renamed)
    for declared in table.functions.values():
        expr = expr.replace(declared.derivative, Function(pretty_symbol(declared.name) + "\u2032"))
    return expr


# ---------------------------------------------------------------- messages

def _pass_message(verdict: Verdict) -> str:
    """A proof says "equal"; numeric evidence says only what was observed."""
    if verdict.method == "symbolic":
        return "Correct: your answer is equivalent to the expected expression (proved equal symbolically)."
    evidence = verdict.evidence
    where = f"at {evidence.random_points} random points of the allowed values"
    if evidence.breakpoint_points:
        names = " or ".join(evidence.functions)
        where += (f" and at {evidence.breakpoint_points} points on both sides of the places "
                  f"where {names} changes")
    return f"Accepted: your answer agrees with the expected expression {where} (not proved symbolically)."


def _undecided_message(verdict: Verdict, request: dict) -> str:
    if verdict.reason == "time":
        budget = request.get("budget_seconds") or 8
        return (f"Your answer could not be checked within {budget:g} s; "
                "try writing it in a simpler equivalent form.")
    return ("Your answer could not be checked: at almost every test point of the allowed values it "
            "is undefined (a division by zero, or a log or square root of a negative number), "
            "too large to evaluate, or its digits cannot be computed reliably.")


def _difference_message(counterexample: Counterexample, table: SymbolTable) -> str:
    point = _shown_point(counterexample, table)
    where = ", ".join(f"{name} = {value}" for name, value in point.items())
    where = f" at {where}" if where else ""
    given, expected = _distinct_texts(counterexample.answer, counterexample.expected)
    return f"Your answer differs from the expected one, e.g.{where}: you give {given}, expected {expected}."


def _shown_point(counterexample: Counterexample, table: SymbolTable) -> dict:
    """The counterexample's coordinates in declaration order, as ints or floats: short ones,
    unless the point lies just beside a breakpoint, where the last digits are the point."""
    digits = 15 if counterexample.near_breakpoint else 6
    point = {}
    for info in table.symbols.values():
        value = counterexample.point.get(info.symbol)
        if value is not None:
            point[info.name] = int(value) if info.is_integer else float(f"{float(value):.{digits}g}")
    return point


def _counterexample_json(counterexample: Counterexample, table: SymbolTable) -> dict:
    given, expected = counterexample.answer, counterexample.expected
    both_floats = [_json_number(given), _json_number(expected)]
    if both_floats[0] == both_floats[1]:  # closer than a double can tell: the digits that differ
        both_floats = list(_distinct_texts(given, expected))
    return {"point": _shown_point(counterexample, table),
            "answer": both_floats[0], "expected": both_floats[1]}


def _json_number(value: Expr) -> float | str:
    number = _float(value)
    return number if math.isfinite(number) else sstr(value.evalf(6))  # evalf: no str() of a huge int


def _distinct_texts(a: Expr, b: Expr) -> tuple[str, str]:
    """a and b with 6 significant digits, or as many more (up to 30) as it takes to tell them
    apart: ×(1 + 1e-12) must not read "you give 4.16773, expected 4.16773"."""
    for digits in (6, 10, 15, 20, 25, 30):
        texts = _short(a, digits), _short(b, digits)
        if texts[0] != texts[1]:
            return texts
    return texts


def _short(value: Expr, digits: int = 6) -> str:
    if value.is_Integer and abs(value) < 10**15:
        return str(int(value))
    if digits > 15 or not math.isfinite(_float(value)):
        return sstr(value.evalf(digits), full_prec=False)
    return f"{_float(value):.{digits}g}"


def _float(value: Expr) -> float:
    try:
        return float(value)
    except OverflowError:  # an exact rational beyond a double's range
        return math.inf
