"""Mutation analysis: how many small rewrites of a reference its cases tell apart from it.

Each mutant (dlcheck/mutants.py) is graded exactly as a student's file would be, through the
sandbox; it is killed when the result is not a pass (wrong values, an exception, a timeout). The
mutation score is killed / (mutants − equivalent), where the equivalent mutants are those the spec
lists under `equivalent_mutants`, with the reason no input can tell them apart. docs/mutants.md
explains the operators and how to record an equivalent mutant.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

import msgspec

from .catalog import Course
from .errors import DlcheckError, GraderFault
from .grading import Grader
from .mutants import Mutant, generate
from .results import PASS
from .spec import Exercise as Spec
from .spec import Limits, to_data
from .submission import Submission

TARGET = 0.95
# A mutant that loops for ever costs at most its case limit: a few times what the reference needs,
# with a floor that a loaded machine does not reach for the reference's own work.
TIME_FACTOR = 10
MIN_CASE_SECONDS = 2.0
MIN_TOTAL_SECONDS = 5.0
# The hidden cases are drawn from this fixed secret, not the instructor's or a per-run one, so that a
# mutant's fate, and the score recorded in docs/mutants.json, is the same on every run.
SECRET = "dlcheck-mutation-analysis"


@dataclass
class MutationReport:
    exercise: str
    mutants: int = 0
    killed: int = 0
    equivalent: int = 0
    survived: list[Mutant] = field(default_factory=list)
    stale_equivalent: list[str] = field(default_factory=list)  # listed as equivalent, matching no mutant
    killed_equivalent: list[str] = field(default_factory=list)  # listed as equivalent, yet a case tells them apart
    skipped: str | None = None  # why there is nothing to analyse (a symbolic exercise)
    problem: str | None = None  # why the analysis could not run
    seconds: float = 0.0

    @property
    def score(self) -> float | None:
        """killed / non-equivalent mutants; None when there is nothing to score."""
        scored = self.mutants - self.equivalent
        if self.skipped or self.problem:
            return None
        return self.killed / scored if scored else 1.0

    @property
    def ok(self) -> bool:
        if self.skipped:
            return True
        return (self.problem is None and self.score >= TARGET and not self.stale_equivalent
                and not self.killed_equivalent)

    def to_json(self) -> dict:
        return {
            "id": self.exercise, "mutants": self.mutants, "killed": self.killed, "equivalent": self.equivalent,
            "score": None if self.score is None else round(self.score, 4), "target": TARGET, "ok": self.ok,
            "survived": [{"id": m.id, "diff": m.diff, "description": m.description} for m in self.survived],
            "stale_equivalent": self.stale_equivalent, "killed_equivalent": self.killed_equivalent,
            "skipped": self.skipped, "problem": self.problem,
        }


def mutation_grader(course: Course) -> Grader:
    """The grader to analyse with (a context manager): its hidden cases come from SECRET."""
    return Grader(course, secret=SECRET)


def analyse(course: Course, spec: Spec, grader: Grader) -> MutationReport:
    """Grade every mutant of the exercise's reference with `grader` (see mutation_grader)."""
    report = MutationReport(spec.id)
    if spec.kind != "code":
        report.skipped = "symbolic exercise: its reference is an expression, not code to mutate"
        return report
    started = time.monotonic()
    try:
        _grade_mutants(course, spec, grader, report)
    except (GraderFault, DlcheckError, ValueError, SyntaxError) as exc:
        report.problem = str(exc)
    report.seconds = time.monotonic() - started
    return report


def _grade_mutants(course: Course, spec: Spec, grader: Grader, report: MutationReport) -> None:
    path = course.reference_path(spec)
    source = path.read_text(encoding="utf-8")
    generator = frozenset({spec.cases.generator} if spec.cases.generator else ())
    mutants = generate(source, spec.entry_point, f"solutions/{path.name}", exclude=generator)
    grader.reference_cases(spec)  # computed (and cached) first, so that the timing below is the worker's
    started = time.monotonic()
    reference = _grade(grader, spec, source)
    if reference.status != PASS:
        report.problem = f"the reference does not pass its own cases ({reference.status}): {reference.message[:200]}"
        return
    bounded = msgspec.structs.replace(spec, limits=mutant_limits(spec.limits, time.monotonic() - started))
    equivalent = {entry.mutant for entry in spec.equivalent_mutants}
    report.mutants = len(mutants)
    for mutant in mutants:
        killed = _grade(grader, bounded, mutant.source).status != PASS
        if mutant.id in equivalent:
            report.equivalent += 1
            if killed:
                report.killed_equivalent.append(mutant.id)
        elif killed:
            report.killed += 1
        else:
            report.survived.append(mutant)
    generated = {m.id for m in mutants}
    report.stale_equivalent = [entry.mutant for entry in spec.equivalent_mutants if entry.mutant not in generated]


def mutant_limits(limits: Limits, reference_seconds: float) -> Limits:
    """The exercise's limits, lowered to a few times what the reference's whole run took."""
    case = max(MIN_CASE_SECONDS, TIME_FACTOR * reference_seconds)
    total = max(MIN_TOTAL_SECONDS, TIME_FACTOR * reference_seconds + MIN_CASE_SECONDS)
    return msgspec.structs.replace(limits, case_seconds=min(limits.case_seconds, case),
                                   total_seconds=min(limits.total_seconds, total))


def _grade(grader: Grader, spec: Spec, source: str):
    return grader.grade(spec, Submission(source, f"{spec.id}.py", ".py"))


# The spec fields that decide whether a mutant passes; statement, hints, mistakes and examples do not,
# so editing those does not make CI re-run an exercise's mutation analysis.
GRADING_FIELDS = ("entry_point", "signature", "returns", "cases", "compare", "limits", "rules", "modifies",
                  "equivalent_mutants")


def content_hash(course: Course, spec: Spec) -> str:
    """A hash of what a mutation score depends on: the spec's grading fields, the reference and the
    callable fixtures its cases may use."""
    digest = hashlib.sha256()
    fields = {name: to_data(getattr(spec, name)) for name in GRADING_FIELDS}
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode() + b"\0")
    for path in (course.reference_path(spec), course.fixtures):
        if path is not None:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
