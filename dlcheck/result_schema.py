"""The published form of `dlcheck grade --format json`: typed, versioned msgspec Structs.

`dlcheck schema` prints their JSON Schema; `results.py` builds them from a GradeResult. A field
typed `... | UnsetType` is left out of the document where it does not apply (`read_as` and `method`
for a code exercise; the values of a hidden failure), exactly as before the schema existed.
A change that renames or removes a field, or changes what one means, needs a new version.
"""

from __future__ import annotations

from typing import Literal, Union

import msgspec
from msgspec import UNSET, UnsetType

from .messages import ErrorFrame, ErrorInfo

SCHEMA_VERSION = "dlcheck.result/1"

Status = Literal["pass", "fail", "error", "missing"]  # missing: an assignment's exercise with no file
CaseStatus = Literal["pass", "fail", "error", "skipped"]
Number = Union[int, float]


class Test(msgspec.Struct):
    """One case (or the single check that stood for all of them: `syntax`, `load`, `rule …`)."""

    name: str
    status: CaseStatus
    message: str
    hidden: bool  # a hidden case: its message never holds an expected value
    points: float  # earned: max_points when the case passed, else 0
    max_points: float  # this case's share of the exercise's max_score (to the cent)
    seconds: float | None = None  # wall time until the case's result arrived; None where not measured


class DiagnosisCases(msgspec.Struct):
    matched: int
    total: int
    raised: int
    not_compared: int
    stopped: int = 0  # the case where the run stopped with no answer (a crash, a timeout): 0 or 1
    not_run: int = 0  # the cases after it, never run


class Diagnosis(msgspec.Struct):
    """The known mistake the submission behaves like."""

    id: str
    message: str
    observed: str  # what matched, phrased as observed
    cases: DiagnosisCases | None  # code exercises; None for symbolic ones


NonFinite = Literal["NaN", "Infinity", "-Infinity"]  # strict JSON has no such numbers (strict_json.py)


class Worst(msgspec.Struct):
    """The element furthest out of tolerance."""

    index: list[int]
    expected: Number | bool | NonFinite
    got: Number | bool | NonFinite
    abs_diff: Number | NonFinite


class Mismatch(msgspec.Struct):
    path: str  # "" for the whole output, else e.g. "W_hh" or "[1]"
    kind: str  # type | structure | shape | dtype | value | error
    message: str
    worst: Worst | None
    mismatched: int
    total: int


class TracebackFrame(ErrorFrame, frozen=True):
    """A traceback frame in the student's code."""

    cell: str | UnsetType = UNSET  # a notebook's: "cell 4" (from the top of the .ipynb) or "In [7]"; `line` is then in that cell


class RaisedError(ErrorInfo, frozen=True):
    """The exception a case raised, with its traceback trimmed to frames in the student's own code."""

    frames: list[TracebackFrame] = []


class Failure(msgspec.Struct):
    """The first failing case. A hidden one carries only `message` (never inputs or values); a
    public one carries everything but `message`."""

    case: str
    hidden: bool = False
    message: str | UnsetType = UNSET
    inputs: dict[str, str] | UnsetType = UNSET  # argument name -> its value as text
    expected: str | None | UnsetType = UNSET  # as text
    got: str | None | UnsetType = UNSET
    mismatches: list[Mismatch] | UnsetType = UNSET
    error: RaisedError | None | UnsetType = UNSET  # the exception, with frames in the student's file
    arguments: str | None | UnsetType = UNSET  # what the call did to arguments it had to leave alone
    call: str | UnsetType = UNSET  # code exercises: the failing call, `f(x=…, y=…)`, with the inputs as text


class Sandbox(msgspec.Struct):
    layers: list[str]  # what confined the code that ran (empty: none ran)
    trusted: bool


class Result(msgspec.Struct):
    """One exercise graded."""

    exercise: str
    kind: Literal["code", "symbolic"]
    status: Status
    score: float  # sum of the passed tests' points
    max_score: float
    message: str
    tests: list[Test]
    diagnosis: Diagnosis | None
    submission: str | None  # the file (or `--answer`) graded
    failure: Failure | None
    output: str  # what the submission printed (capped)
    isolation: str  # sandbox.layers, comma-separated
    sandbox: Sandbox
    internal_error: bool  # dlcheck failed, not the submission (exit 3)
    hidden_cases: Literal["secret", "per-run"] | None
    seconds: float = 0.0  # wall time of grading this exercise (0 for one not graded: missing)
    read_as: str | None | UnsetType = UNSET  # symbolic: how the answer was parsed
    method: str | None | UnsetType = UNSET  # symbolic: proved symbolically or shown numerically
    notes: list[str] | UnsetType = UNSET  # how the file was read, where the student should know (scratch lines)


class ExerciseDocument(Result, kw_only=True):
    """`dlcheck grade ID --format json`: one result, with the schema's version."""

    schema: Literal["dlcheck.result/1"]


class Totals(msgspec.Struct):
    exercises: int
    passed: int
    failed: int
    errored: int
    missing: int
    score: float
    max_score: float


class FileWarning(msgspec.Struct):
    """A workspace file that matches no exercise (or none of the assignment's)."""

    file: str
    did_you_mean: str | None
    message: str


class AssignmentInfo(msgspec.Struct):
    file: str
    name: str | None
    due: str | None  # ISO 8601, with its time zone
    visibility: Literal["public", "hidden", "after_due_date"]


class SummaryDocument(msgspec.Struct):
    """`dlcheck grade --all --format json`: every result and their totals."""

    schema: Literal["dlcheck.result/1"]
    results: list[Result]
    totals: Totals
    warnings: list[FileWarning] = []
    assignment: AssignmentInfo | None | UnsetType = UNSET  # with --assignment
    student: str | UnsetType = UNSET  # `dlcheck batch`: whose submission this is


class UsageProblem(msgspec.Struct):
    kind: Literal["usage"]
    message: str


class ErrorDocument(msgspec.Struct):
    """What a usage error prints with --format json (exit 2)."""

    schema: Literal["dlcheck.result/1"]
    error: UsageProblem


def document_type(data: dict) -> type:
    """Which of the documents `data` is (a summary has `results`, a usage error `error`)."""
    if "error" in data:
        return ErrorDocument
    return SummaryDocument if "results" in data else ExerciseDocument


def json_schema() -> dict:
    """The JSON Schema of every document `dlcheck grade --format json` prints."""
    refs, components = msgspec.json.schema_components([ExerciseDocument, SummaryDocument, ErrorDocument],
                                                      ref_template="#/$defs/{name}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": SCHEMA_VERSION,
        "description": "What `dlcheck grade --format json` prints: one exercise's result, or (--all, "
                       "--assignment) every result with totals, or a usage error.",
        "anyOf": list(refs),
        "$defs": components,
    }
