"""The outcome of grading one submission, and its machine-readable (JSON) form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # compare needs numpy, which `dlcheck list` must not import
    from .compare import Mismatch

from .status import ERROR, FAIL, MISSING, PASS, SKIPPED


@dataclass
class TestResult:
    name: str
    status: str
    message: str = ""
    hidden: bool = False  # a hidden case: its message never holds an expected value
    seconds: float | None = None  # wall time of this case in the worker; None where not measured


@dataclass
class Failure:
    """The first failing case, in enough detail to teach from."""

    case: str
    inputs: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    got: Any = None
    mismatches: list[Mismatch] = field(default_factory=list)
    error: dict[str, Any] | None = None  # exception type, message, frames in the student's file
    arguments: str = ""  # what the call did to arguments it had to leave alone (or why that is unknown)
    hidden: bool = False  # a hidden case: only `summary` is shown, never inputs or values
    summary: str = ""
    function: str = ""  # the function called (code exercises), so the call can be written out
    stopped: str = ""  # dlcheck's explanation when the case did not finish (timeout, crash, sandbox limit)


@dataclass
class GradeResult:
    exercise: str
    kind: str
    status: str
    message: str
    max_score: float
    score: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    diagnosis: dict[str, Any] | None = None  # id, message, observed, cases (diagnosis.py)
    failure: Failure | None = None
    submission: str | None = None
    read_as: str | None = None  # symbolic: how the answer was parsed
    method: str | None = None  # symbolic: proved symbolically or shown numerically
    output: str = ""  # what the submission printed (capped)
    sandbox_layers: list[str] | None = None  # what confined the code that ran; None when none ran
    trusted: bool | None = None  # whether those layers make the verdict trustworthy (sandbox/trust.py); False
    # also when there is no verdict at all (an internal error)
    internal_error: bool = False  # dlcheck failed, not the submission (the run exits 3)
    hidden_cases: str | None = None  # where hidden cases came from: "secret" or "per-run" (never the seed)
    seconds: float = 0.0  # wall time of grading this exercise (the shared reference computation included)
    notes: list[str] = field(default_factory=list)  # how the file was read (scratch lines ignored, …)

    @property
    def isolation(self) -> str:
        return ", ".join(self.sandbox_layers or [])

    def to_json(self) -> dict[str, Any]:
        """This result as plain data in the published shape (result_schema.Result)."""
        import msgspec

        return msgspec.to_builtins(self.to_struct())

    def to_struct(self):
        """This result as a result_schema.Result, checked against it (a field of the wrong type raises)."""
        import msgspec

        from . import result_schema as schema

        data = {
            "exercise": self.exercise,
            "kind": self.kind,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "tests": [{"name": t.name, "status": t.status, "message": t.message, "hidden": t.hidden,
                       "points": points, "max_points": max_points,
                       "seconds": None if t.seconds is None else round(t.seconds, 4)}
                      for t, (points, max_points) in zip(self.tests, case_points(self))],
            "diagnosis": self.diagnosis,
            "submission": self.submission,
            "failure": _failure_json(self.failure),
            "output": self.output,
            "isolation": self.isolation,
            # No layers: no submission code ran (a syntax error, a refused file), so nothing could forge it.
            "sandbox": {"layers": self.sandbox_layers or [], "trusted": self.trusted is not False},
            "internal_error": self.internal_error,
            "hidden_cases": self.hidden_cases,
            "seconds": self.seconds,
        }
        if self.kind == "symbolic":
            data["read_as"] = self.read_as
            data["method"] = self.method
        if self.notes:
            data["notes"] = list(self.notes)
        return msgspec.convert(data, schema.Result)


def _call_text(function: str, inputs: dict[str, str]) -> str:
    """`f(x=1, y=2)`; one argument per line when a value takes several (a tensor shown as rows)."""
    if not any("\n" in value for value in inputs.values()):
        return f"{function}({', '.join(f'{name}={value}' for name, value in inputs.items())})"
    lines = [f"    {name}={value.replace(chr(10), chr(10) + ' ' * (5 + len(name)))}," for name, value in inputs.items()]
    return "\n".join([f"{function}(", *lines, ")"])


def _failure_json(failure: Failure | None) -> dict[str, Any] | None:
    if failure is None:
        return None
    if failure.hidden:
        return {"case": failure.case, "hidden": True, "message": failure.summary}
    from .display import show, show_pair  # keeps `dlcheck list` (which imports this module) light

    expected, got = show_pair(failure.expected, failure.got)
    inputs = {name: show(value) for name, value in failure.inputs.items()}
    call = {"call": _call_text(failure.function, inputs)} if failure.function else {}
    return {
        "case": failure.case,
        "inputs": inputs,
        **call,
        "expected": expected if failure.expected is not None else None,
        "got": got if failure.got is not None else None,
        "mismatches": [
            {"path": m.path, "kind": m.kind, "message": m.message, "worst": m.worst,
             "mismatched": m.mismatched, "total": m.total}
            for m in failure.mismatches
        ],
        "error": failure.error,
        "arguments": failure.arguments or None,
    }


def case_points(result: GradeResult) -> list[tuple[float, float]]:
    """Each test's (points, max_points), counted in whole cents so that the passed tests' points add up to the
    score and every test's max_points to max_score, exactly to the cent. The score is already the
    exercise's points times the share of passed cases (rounded to the cent); its cents are split
    evenly over the passed tests and the rest of max_score over the others, the first ones getting
    the odd cents. So each case is worth max_score / number of cases, give or take a cent."""
    passed = [t.status == PASS for t in result.tests]
    earned = _split(round(result.score * 100), passed.count(True))
    rest = _split(round(result.max_score * 100) - round(result.score * 100), passed.count(False))
    points = []
    for ok in passed:
        cents = earned.pop(0) if ok else rest.pop(0)
        points.append((cents / 100 if ok else 0.0, cents / 100))
    return points


def _split(cents: int, parts: int) -> list[int]:
    """`cents` over `parts` as evenly as whole cents allow, the larger shares first."""
    if parts == 0:
        return []
    share, odd = divmod(cents, parts)
    return [share + (i < odd) for i in range(parts)]


def overall_status(tests: list[TestResult]) -> str:
    """The status of the first test that did not pass (pass when all did)."""
    for test in tests:
        if test.status != PASS:
            return ERROR if test.status in (ERROR, SKIPPED) else test.status
    return PASS if tests else ERROR


def missing_result(exercise: str, kind: str, points: float, looked_for: list[str]) -> GradeResult:
    """An assignment's exercise with no submission: graded as nothing handed in, never skipped."""
    return GradeResult(exercise, kind, MISSING, f"No submission: looked for {' or '.join(looked_for)}.",
                       max_score=points, score=0.0)


def exercise_json(result: GradeResult) -> dict[str, Any]:
    """The document `dlcheck grade ID --format json` prints (result_schema.ExerciseDocument)."""
    from .result_schema import SCHEMA_VERSION

    return {"schema": SCHEMA_VERSION, **result.to_json()}


def summary_json(results: list[GradeResult]) -> dict[str, Any]:
    """The document `dlcheck grade --all --format json` prints (result_schema.SummaryDocument)."""
    return summary_of([r.to_json() for r in results])


def summary_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """A SummaryDocument (without warnings or assignment) around results already in published form."""
    from .result_schema import SCHEMA_VERSION

    counts = {status: sum(r["status"] == status for r in results) for status in (PASS, FAIL, ERROR, MISSING)}
    return {
        "schema": SCHEMA_VERSION,
        "results": results,
        "totals": {
            "exercises": len(results),
            "passed": counts[PASS],
            "failed": counts[FAIL],
            "errored": counts[ERROR],
            "missing": counts[MISSING],
            "score": round(sum(r["score"] for r in results), 2),
            "max_score": round(sum(r["max_score"] for r in results), 2),
        },
    }
