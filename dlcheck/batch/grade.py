"""Grading one student of a batch: their files (plain data) in, their results (plain data) out.

The same function runs in the local thread pool and on a Dask worker, so it takes and returns
only data: the student's files, the plan (each exercise due, its points and its fingerprint) and
what an earlier run graded, and it returns each exercise's published result (dlcheck.result/1)
with the key it was graded under. An exercise whose key is unchanged since the last run is not
graded again: its earlier result is reused.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from ..assignment import rescore
from ..errors import DlcheckError
from ..results import missing_result
from ..status import MISSING
from ..submission import Submission, submission_from_bytes
from ..workspace import submission_names
from .students import StudentFiles


@dataclass(frozen=True)
class PlannedExercise:
    id: str
    kind: str
    points: float
    fingerprint: str  # of everything its grading depends on but the submission (plan.py)


@dataclass
class GradedExercise:
    """One exercise of one student: its result, the key it was graded under, its text feedback."""

    key: str
    result: dict  # result_schema.Result as plain data
    feedback: str
    reused: bool = False


@dataclass
class StudentGrades:
    student: str
    exercises: dict[str, GradedExercise] = field(default_factory=dict)
    stopped: bool = False  # interrupted before every exercise was graded: nothing of it is kept

    @property
    def internal_errors(self) -> int:
        return sum(g.result["internal_error"] for g in self.exercises.values())


def submission_key(exercise: PlannedExercise, name: str | None, content: bytes | str | None) -> str:
    """What a result depends on: the exercise (spec, reference, mistakes, engine, secret), its points
    here, and the file handed in (its name and bytes, or why it was refused, or nothing)."""
    digest = hashlib.sha256()
    for part in (exercise.fingerprint, repr(exercise.points), name or "", content if content is not None else "\0none"):
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def grade_student(grader, course, plan: list[PlannedExercise], files: StudentFiles,
                  previous: dict[str, GradedExercise], only: set[str] | None = None,
                  should_stop=lambda: False) -> StudentGrades:
    """Each exercise of the plan for this student; `previous` results are reused where the key is
    unchanged and the exercise is not in `only` (which regrades those exercises regardless)."""
    grades = StudentGrades(files.id)
    for exercise in plan:
        if should_stop():
            grades.stopped = True
            return grades
        name, key, earlier = _decision(exercise, files, previous, only)
        if earlier is not None:
            grades.exercises[exercise.id] = GradedExercise(key, earlier.result, earlier.feedback, reused=True)
            continue
        result = _grade_exercise(grader, course, exercise, files, name)
        grades.exercises[exercise.id] = GradedExercise(key, result.to_json(), _feedback_text(result))
    return grades


def needing_a_reference(plan: list[PlannedExercise], files: StudentFiles, previous: dict[str, GradedExercise],
                        only: set[str] | None) -> set[str]:
    """The code exercises grade_student will run this student's file for (not reused, not missing)."""
    needed = set()
    for exercise in plan:
        name, _, earlier = _decision(exercise, files, previous, only)
        if exercise.kind == "code" and earlier is None and name in files.files:
            needed.add(exercise.id)
    return needed


def _decision(exercise: PlannedExercise, files: StudentFiles, previous: dict[str, GradedExercise],
              only: set[str] | None) -> tuple[str | None, str, GradedExercise | None]:
    """(the file handed in, the result's key, the earlier result to reuse or None to grade anew)."""
    name, content = _handed_in(files, exercise)
    key = submission_key(exercise, name, content)
    earlier = previous.get(exercise.id)
    forced = only is not None and exercise.id in only
    reusable = earlier is not None and earlier.key == key and not forced and not earlier.result["internal_error"]
    return name, key, earlier if reusable else None


def _handed_in(files: StudentFiles, exercise: PlannedExercise) -> tuple[str | None, bytes | str | None]:
    """The file graded for the exercise: (name, bytes or the refusal's reason), or (None, None)."""
    names = [n for n in submission_names(exercise.id, exercise.kind) if n in files.files or n in files.refused]
    if not names:
        return None, None
    if len(names) > 1:
        return " and ".join(names), "\0both"
    name = names[0]
    return name, files.files[name] if name in files.files else files.refused[name]


def _grade_exercise(grader, course, exercise: PlannedExercise, files: StudentFiles, name: str | None):
    from ..grading import internal_failure, rejected_result

    spec = spec_of(course, exercise.id)
    if name is None:
        looked = " or ".join(submission_names(exercise.id, exercise.kind))
        return missing_result(exercise.id, exercise.kind, exercise.points, [looked])
    if " and " in name:
        return rescore(rejected_result(spec, name, f"both {name} are in the submission; keep only the one "
                                                   f"to be graded"), exercise.points)
    if name in files.refused:
        return rescore(rejected_result(spec, name, files.refused[name]), exercise.points)
    try:
        submission: Submission = submission_from_bytes(files.files[name], name)
        result = grader.grade(spec, submission)
    except DlcheckError as refused:  # not UTF-8 and the like: the student's file, said as such
        return rescore(rejected_result(spec, name, str(refused)), exercise.points)
    except Exception as exc:  # noqa: BLE001 - dlcheck's own failure: this exercise only, never the batch
        return rescore(internal_failure(spec, exc), exercise.points)
    return rescore(result, exercise.points)


@functools.lru_cache(maxsize=8)
def _specs_of(course) -> dict:
    """The course's specs by id, parsed once (course.get parses the YAML on every call: 12 600 times
    in a class of 200). The plan's ids all come from this course's assignment."""
    return {spec.id: spec for spec in course.specs}


def spec_of(course, exercise_id: str):
    return _specs_of(course)[exercise_id]


def _feedback_text(result) -> str:
    """The text report a student gets for this exercise (as `dlcheck grade ID` prints it)."""
    import io

    from rich.console import Console

    from ..report import render_grade

    if result.status == MISSING:
        return f"{result.exercise}: MISSING   0/{result.max_score:g} points\n{result.message}\n"
    buffer = io.StringIO()
    render_grade(Console(file=buffer, highlight=False, no_color=True, width=100), result)
    return buffer.getvalue()
