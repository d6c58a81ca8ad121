"""Naming a known mistake from what was observed (docs/grading.md, "Diagnosis").

Runs in the grading process, on plain decoded data. A mistake, or one of its variants (other ways
of writing the same misconception), is named when the submission behaves like it:

1. Where both are defined they agree: the same output within the exercise's tolerances (±inf
   included: an overflow is a value, and where a numerically naive mistake overflows is what tells
   it apart from another), or the same exception type (a 0-based loop that makes a model raise is
   a misconception too).
2. What only one of the two defines is left out: a case where only one raised (or they raised
   different types), and an element that is NaN on one side only. So a mistake written slightly
   differently is still that mistake: max_norm / n where the listed mistake has max_norm / (n + 1e-6)
   raises on an all-zero gradient; a guarded division returns zeros where the listed one gives 0/0.
3. The cases compared are a majority of all cases: a submission that raises almost everywhere shows
   too little to be told it has a misconception because of the few cases where it agrees. A run
   that stopped (a crash, a timeout, a sandbox limit) is judged on the cases before it: the case
   where it stopped and the cases never run count against that majority, like cases that raised.
4. The agreement shows the mistake: on some compared case the submission is wrong. Agreeing only
   where the mistake is right is no sign of it (naive_log_sigmoid is right wherever it does not
   overflow; a submission wrong, finitely, exactly there has another mistake). And once anything
   was left out, that wrong case must be finite: NaN, ±inf and exceptions are where computations
   break down, and two different mistakes may break down alike. naive_softplus and
   naive_log_sigmoid both give −inf on a confidently wrong pixel; what tells them apart is the case
   where naive_log_sigmoid gives NaN and naive_softplus the right answer, which rule 2 leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .compare import FLOAT_DTYPES, compare_safely
from .wire import NumpyScalar, TensorData, Unsupported


@dataclass
class Match:
    """How a submission's outcomes compared with one mistake's, over all cases."""

    total: int
    matched: int = 0  # compared and agreeing
    raised: int = 0  # left out: the submission raised, the mistake did not (or raised another type)
    not_compared: int = 0  # left out: the mistake raised, or every value is NaN on one side only
    stopped: int = 0  # left out: the case where the run stopped with no answer (crash, timeout), 0 or 1
    not_run: int = 0  # left out: the cases after the one where the run stopped
    partly: int = 0  # matched cases where some elements were left out (NaN on one side only)
    wrong_finite: bool = False  # a matched case where the submission is wrong, with finite values
    wrong_otherwise: bool = False  # a matched case where it is wrong: a shared NaN, ±inf or exception
    differed: bool = False

    @property
    def left_out(self) -> bool:
        return bool(self.raised or self.not_compared or self.partly or self.stopped or self.not_run)

    @property
    def names_the_mistake(self) -> bool:
        shown = self.wrong_finite or (self.wrong_otherwise and not self.left_out)
        return not self.differed and shown and 2 * self.matched > self.total

    def as_json(self) -> dict[str, int]:
        return {"matched": self.matched, "total": self.total, "raised": self.raised,
                "not_compared": self.not_compared, "stopped": self.stopped, "not_run": self.not_run}


@dataclass(frozen=True)
class Stop:
    """Where a run stopped before its last case, and why, in words that follow "your code"."""

    index: int
    case: str
    why: str  # "crashed (…)", "ran out of time", "hit a sandbox limit", …


def diagnose(mistakes: list, cases: list, values: dict[int, Any], errors: dict[int, dict],
             policy: dict, stop: Stop | None = None) -> dict[str, Any] | None:
    """The first listed mistake that the submission behaves like (through its own function or any of
    its variants), as the result's diagnosis; None when there is none. `cases` are the reference's
    (each with .expected and .mistakes, keyed by function name); `values` and `errors` the
    submission's outputs and exceptions by case index; `stop` where the run stopped, if it did."""
    for mistake in mistakes:
        for function in (mistake.id, *mistake.variants):
            outputs = [case.mistakes[function] for case in cases]
            match = match_outcomes(outputs, [case.expected for case in cases], values, errors, policy, stop)
            if match.names_the_mistake:
                return {"id": mistake.id, "message": mistake.message,
                        "observed": observed(mistake.id, match, stop), "cases": match.as_json()}
    return None


def symbolic_diagnosis(mistake) -> dict[str, Any]:
    """A symbolic answer found equal to the mistake's expression (or a variant) by the checker."""
    return {"id": mistake.id, "message": mistake.message,
            "observed": f"Your answer matches the known mistake '{mistake.id}'.", "cases": None}


def match_outcomes(outputs: list, expected: list, values: dict[int, Any], errors: dict[int, dict],
                   policy: dict, stop: Stop | None = None) -> Match:
    match = Match(total=len(outputs))
    for index, (output, want) in enumerate(zip(outputs, expected)):
        if stop is not None and index > stop.index:
            match.not_run += 1
            continue
        if stop is not None and index == stop.index and index not in errors:
            match.stopped += 1
            continue
        outcome = _case_outcome(output, want, index, values, errors, policy)
        if outcome == "differ":
            match.differed = True
            return match  # one case where both are defined and disagree settles it
        if outcome == "raised":
            match.raised += 1
        elif outcome == "not compared":
            match.not_compared += 1
        else:
            match.matched += 1
            match.partly += outcome.partly
            match.wrong_finite |= outcome.wrong and outcome.finite
            match.wrong_otherwise |= outcome.wrong and not outcome.finite
    return match


@dataclass(frozen=True)
class _Agreed:
    wrong: bool  # the submission's answer (on what was compared) is not the reference's
    finite: bool  # the submission returned an answer with no NaN or ±inf
    partly: bool = False  # some elements were left out


def _case_outcome(output: Any, expected: Any, index: int, values: dict[int, Any], errors: dict[int, dict],
                  policy: dict) -> _Agreed | str:
    raised = raised_type(output)
    if index in errors:
        # The reference never raises: a case where the submission raised is a wrong answer.
        return _Agreed(wrong=True, finite=False) if raised == errors[index]["type"] else "raised"
    if index not in values or raised is not None:
        return "not compared"
    defined = defined_parts(output, values[index], expected)
    if defined.left_out and not defined.compared:
        return "not compared"
    if compare_safely(defined.mistake, defined.student, policy):
        return "differ"
    wrong = bool(compare_safely(defined.expected, defined.student, policy))
    return _Agreed(wrong=wrong, finite=_all_finite(values[index]), partly=defined.left_out > 0)


def raised_type(mistake_output: Any) -> str | None:
    """The exception type a mistake raised on a case (see reference._mistake_output), else None."""
    if isinstance(mistake_output, Unsupported) and mistake_output.type_name == "raised":
        return mistake_output.detail.split(":", 1)[0]
    return None


# ---------------------------------------------------------------- leaving out what is not defined

@dataclass
class Defined:
    """A mistake's output, the submission's and the reference's, with every element that is NaN in
    only one of mistake and submission replaced by NaN in all three, so that comparing them compares
    the rest."""

    mistake: Any
    student: Any
    expected: Any
    left_out: int = 0  # elements replaced
    compared: int = 0  # elements (and other values) kept


_ABSENT = object()  # the reference's output has another structure here: nothing to blank


def defined_parts(mistake: Any, student: Any, expected: Any) -> Defined:
    found = Defined(mistake, student, expected)
    found.mistake, found.student, found.expected = _blank_undefined(mistake, student, expected, found)
    return found


def _blank_undefined(m: Any, s: Any, e: Any, found: Defined) -> tuple[Any, Any, Any]:
    if _float_tensor(m) and _float_tensor(s) and m.shape == s.shape:
        undefined = _undefined(m.array, s.array)
        count = int(np.count_nonzero(undefined))
        found.left_out += count
        found.compared += int(undefined.size) - count
        if not count:
            return m, s, e
        fits = _float_tensor(e) and e.shape == m.shape
        return _blanked(m, undefined), _blanked(s, undefined), _blanked(e, undefined) if fits else e
    a, b = _float_scalar(m), _float_scalar(s)
    if a is not None and b is not None:
        if _undefined(np.array(a), np.array(b)):
            found.left_out += 1
            return float("nan"), float("nan"), float("nan") if _float_scalar(e) is not None else e
        found.compared += 1
        return m, s, e
    if isinstance(m, (list, tuple)) and isinstance(s, (list, tuple)) and len(m) == len(s):
        return _blank_container(m, s, e, range(len(m)), found)
    if isinstance(m, dict) and isinstance(s, dict):
        return _blank_container(m, s, e, [key for key in m if key in s], found)
    found.compared += 1
    return m, s, e


def _blank_container(m: Any, s: Any, e: Any, keys, found: Defined) -> tuple[Any, Any, Any]:
    """A tuple, list or dict, item by item; the reference's output is blanked where it has the same shape."""
    m2, s2 = _mutable(m), _mutable(s)
    e2 = _mutable(e) if _same_kind(e, m) else None
    for key in keys:
        inner = e2[key] if e2 is not None and _holds(e2, key) else _ABSENT
        m2[key], s2[key], inner = _blank_undefined(m[key], s[key], inner, found)
        if inner is not _ABSENT:
            e2[key] = inner
    return _restored(m2, m), _restored(s2, s), _restored(e2, e) if e2 is not None else e


def _mutable(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value)


def _restored(new: Any, old: Any) -> Any:
    return tuple(new) if isinstance(old, tuple) else new


def _same_kind(e: Any, m: Any) -> bool:
    if isinstance(m, dict):
        return isinstance(e, dict)
    return isinstance(e, (list, tuple)) and len(e) == len(m)


def _holds(container: Any, key: Any) -> bool:
    return key in container if isinstance(container, dict) else 0 <= key < len(container)


def _undefined(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where exactly one of the two is NaN: a value on one side, none on the other."""
    return np.isnan(a) != np.isnan(b)


def _all_finite(value: Any) -> bool:
    if _float_tensor(value):
        return bool(np.isfinite(value.array).all())
    if _float_scalar(value) is not None:
        return bool(np.isfinite(_float_scalar(value)))
    if isinstance(value, dict):
        return all(_all_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_all_finite(v) for v in value)
    return True


def _blanked(t: TensorData, where: np.ndarray) -> TensorData:
    return TensorData(t.dtype, t.shape, np.where(where, np.nan, t.array).astype(t.array.dtype, copy=False))


def _float_tensor(value: Any) -> bool:
    return type(value) is TensorData and value.dtype in FLOAT_DTYPES


def _float_scalar(value: Any) -> float | None:
    if type(value) is float:
        return value
    if isinstance(value, NumpyScalar) and value.dtype in FLOAT_DTYPES:
        return float(value.value)
    return None


# ---------------------------------------------------------------- what the student reads

def observed(mistake_id: str, match: Match, stop: Stop | None = None) -> str:
    """What was seen, in words: on how many cases the results match, why the others were not compared,
    and where the run stopped."""
    scope = f"all {match.total}" if match.matched == match.total else f"{match.matched} of {match.total}"
    notes = []
    if match.raised:
        notes.append(f"on {_other_cases(match.raised)} your code raised an exception")
    if match.not_compared:
        notes.append(f"{_other_cases(match.not_compared)} {'was' if match.not_compared == 1 else 'were'} not "
                     f"compared (there that mistake raises, or one of the two results is NaN where the other is not)")
    if match.partly:
        notes.append("values that are NaN in only one of the two results were left out")
    if stop is not None:
        after = "" if not match.not_run else (f": the 1 case after it was not run" if match.not_run == 1 else
                                              f": the {match.not_run} cases after it were not run")
        notes.append(f"on case '{stop.case}' your code {stop.why}, and the run stopped there{after}")
    return (f"Your results match what the known mistake '{mistake_id}' gives, on {scope} cases"
            + "".join(f"; {note}" for note in notes) + ".")


def _other_cases(count: int) -> str:
    return "1 other case" if count == 1 else f"{count} other cases"
