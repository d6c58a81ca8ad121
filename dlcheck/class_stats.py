"""What a graded class adds up to, per exercise and per student: the numbers the class report shows.

Input is what `dlcheck batch` writes: its manifest (`dlcheck.batch/1`, a dict) and each graded
student's SummaryDocument (`dlcheck.result/1`). Plain data out, no HTML and no plotting here, so the
figures can be tested on their own. Text that comes from a student's run (messages) is passed on
as it is: escaping it is the renderer's job.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import msgspec

from .result_schema import Result, SummaryDocument
from .status import ERROR, FAIL, MISSING, PASS

STATUSES = (PASS, FAIL, ERROR, MISSING)
# An exercise is flagged when more than this share of the students who handed it in got `error`:
# a whole class rarely crashes on its own, a wrong statement, starter or environment does that.
MOSTLY_ERRORS = 0.5


@dataclass(frozen=True)
class Misconception:
    """One known mistake (a diagnosis id) and the students whose submission behaves like it."""

    id: str
    message: str  # the mistake's explanation, as the exercise's spec words it
    students: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.students)


@dataclass(frozen=True)
class Timing:
    median: float
    max: float
    slowest: str  # the student whose grading took `max`


@dataclass(frozen=True)
class ExerciseStats:
    id: str
    title: str
    points: float
    graded: int  # students with a result for this exercise (missing included)
    counts: dict[str, int]  # status -> students
    mean_percent: float | None  # mean score as % of the points, over `graded`
    misconceptions: tuple[Misconception, ...]  # most frequent first
    undiagnosed: tuple[str, ...]  # students whose failure no known mistake explains (a new one, several)
    common_error: tuple[str, int] | None  # the most frequent error message (paths cut) and how many share it
    internal_errors: int  # errors that were dlcheck's own fault, not the submission's
    timing: Timing | None  # over the results that ran (not missing)

    @property
    def handed_in(self) -> int:
        return self.graded - self.counts[MISSING]

    @property
    def pass_rate(self) -> float | None:
        """Passes as % of the graded students (a missing exercise counts as not passed)."""
        return 100.0 * self.counts[PASS] / self.graded if self.graded else None

    @property
    def mostly_errors(self) -> bool:
        return self.handed_in > 0 and self.counts[ERROR] > MOSTLY_ERRORS * self.handed_in


@dataclass(frozen=True)
class Cell:
    """One student's result for one exercise, as the student table shows it."""

    status: str
    score: float
    max_score: float
    diagnosis: str | None


@dataclass(frozen=True)
class StudentRow:
    id: str
    status: str  # graded | error (the batch's word)
    error: str | None  # why the whole submission could not be graded
    score: float | None
    max_score: float | None
    feedback: str | None  # relative to the batch directory; None: there is none
    results: str | None
    cells: dict[str, Cell] = field(default_factory=dict)  # exercise id -> its result

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100.0 * self.score / self.max_score


@dataclass(frozen=True)
class ClassStats:
    exercises: tuple[ExerciseStats, ...]
    students: tuple[StudentRow, ...]

    @property
    def graded(self) -> tuple[StudentRow, ...]:
        return tuple(s for s in self.students if s.percent is not None and s.status != "error")

    @property
    def percents(self) -> list[float]:
        return [s.percent for s in self.graded]

    @property
    def flagged(self) -> tuple[ExerciseStats, ...]:
        return tuple(e for e in self.exercises if e.mostly_errors)


def class_stats(batch: dict, results: dict[str, dict]) -> ClassStats:
    """The figures of a batch: `results[student_id]` is that student's SummaryDocument (as a dict)."""
    documents = {sid: msgspec.convert(doc, SummaryDocument) for sid, doc in results.items()}
    students = tuple(_student_row(entry, documents.get(entry["id"])) for entry in batch["students"])
    by_exercise: dict[str, list[tuple[str, Result]]] = {}
    for student in students:
        document = documents.get(student.id)
        for result in (document.results if document and student.status != "error" else []):
            by_exercise.setdefault(result.exercise, []).append((student.id, result))
    listed = [dict(e) for e in batch["assignment"]["exercises"]]
    known = {e["id"] for e in listed}
    # An exercise graded but not in the manifest's list still gets its column rather than vanishing.
    listed += [{"id": eid} for eid in by_exercise if eid not in known]
    return ClassStats(tuple(_exercise_stats(e, by_exercise.get(e["id"], [])) for e in listed), students)


def _student_row(entry: dict, document: SummaryDocument | None) -> StudentRow:
    score, max_score = entry.get("score"), entry.get("max_score")
    if document is not None and score is None:
        score, max_score = document.totals.score, document.totals.max_score
    cells = {} if document is None else {
        r.exercise: Cell(r.status, r.score, r.max_score, r.diagnosis.id if r.diagnosis else None)
        for r in document.results}
    status = entry.get("status") or ("graded" if document is not None else "error")
    # Where the files are, as the manifest says; a manifest without the keys gets batch's layout.
    folder = f"students/{entry['id']}"
    return StudentRow(id=entry["id"], status=status, error=entry.get("error"), score=score, max_score=max_score,
                      feedback=entry.get("feedback", f"{folder}/feedback.txt"),
                      results=entry.get("results", f"{folder}/results.json" if document else None), cells=cells)


def _exercise_stats(exercise: dict, graded: list[tuple[str, Result]]) -> ExerciseStats:
    counts = Counter({status: 0 for status in STATUSES})
    counts.update(result.status for _, result in graded)
    points = exercise.get("points") or (graded[0][1].max_score if graded else 0.0)
    errors = [result for _, result in graded if result.status == ERROR]
    return ExerciseStats(
        id=exercise["id"], title=exercise.get("title") or "", points=float(points), graded=len(graded),
        counts=dict(counts), mean_percent=_mean_percent([r for _, r in graded]),
        misconceptions=_misconceptions(graded),
        undiagnosed=tuple(sid for sid, r in graded if r.status == FAIL and r.diagnosis is None),
        common_error=Counter(map(_error_message, errors)).most_common(1)[0] if errors else None,
        internal_errors=sum(r.internal_error for r in errors),
        timing=_timing([(sid, r.seconds) for sid, r in graded if r.status != MISSING]))


def _mean_percent(results: list[Result]) -> float | None:
    shares = [100.0 * r.score / r.max_score for r in results if r.max_score]
    return statistics.fmean(shares) if shares else None


def _error_message(result: Result) -> str:
    """The message with the student's own path to the file cut to the file's name: the same error in
    everyone's `conv_shape.py` is one message, wherever each student's copy was unpacked."""
    if not result.submission:
        return result.message
    name = PurePosixPath(result.submission).name
    return re.sub(rf"[^\s'\"(]*/{re.escape(name)}\b", name, result.message)


def _misconceptions(graded: list[tuple[str, Result]]) -> tuple[Misconception, ...]:
    students: dict[str, list[str]] = {}
    messages: dict[str, Counter] = {}
    for student, result in graded:
        if result.diagnosis is not None:
            students.setdefault(result.diagnosis.id, []).append(student)
            messages.setdefault(result.diagnosis.id, Counter())[result.diagnosis.message] += 1
    found = [Misconception(mid, messages[mid].most_common(1)[0][0], tuple(who)) for mid, who in students.items()]
    return tuple(sorted(found, key=lambda m: (-m.count, m.id)))


def _timing(seconds: list[tuple[str, float]]) -> Timing | None:
    if not seconds:
        return None
    slowest, longest = max(seconds, key=lambda pair: pair[1])
    return Timing(statistics.median(s for _, s in seconds), longest, slowest)
