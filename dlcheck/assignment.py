"""An assignment: which exercises are due, for how many points, by when, and what students may see.

The file is YAML (docs/assignments.md):

    name: Week 3 - autoencoders
    due: 2026-03-01T23:59:00+01:00
    visibility: after_due_date
    exercises:
      - scaled_sum              # the spec's points
      - id: square_grad
        points: 5

`load_assignment` checks it against the course and raises AssignmentError naming the file and the
field, as load_spec does for a spec. `visibility` is carried in the result document; the Gradescope
format applies it (dlcheck/platforms/gradescope.py), the other reports show hidden cases as always.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Union

import msgspec
from msgspec import Meta

from .catalog import unknown_exercise_message
from .errors import AssignmentError
from .spec import read_yaml_mapping, split_validation_error

if TYPE_CHECKING:
    from .catalog import Course, Spec

Visibility = Literal["public", "hidden", "after_due_date"]
Points = Annotated[float, Meta(gt=0)]


class _Struct(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


class Entry(_Struct):
    id: str
    points: Union[Points, None] = None  # None: the spec's points


class Assignment(_Struct):
    exercises: Annotated[list[Union[str, Entry]], Meta(min_length=1)]
    name: Union[str, None] = None
    due: Union[datetime, None] = None
    visibility: Visibility = "public"  # of the hidden cases' results: applied by the Gradescope format


@dataclass(frozen=True)
class Due:
    """One exercise of a loaded assignment: its spec and the points it is worth here."""

    spec: Spec
    points: float


@dataclass(frozen=True)
class LoadedAssignment:
    file: Path
    assignment: Assignment
    exercises: list[Due]

    def to_json(self) -> dict:
        """The assignment as the JSON report states it."""
        due = self.assignment.due
        return {"file": str(self.file), "name": self.assignment.name, "due": due.isoformat() if due else None,
                "visibility": self.assignment.visibility}


def load_assignment(path: Path, course: Course) -> LoadedAssignment:
    """The assignment in `path`, its exercises resolved against the course."""
    if not path.is_file():
        raise AssignmentError(path, None, "no such file" if not path.exists() else "not a regular file")
    raw = read_yaml_mapping(path)
    if isinstance(raw.get("due"), date) and not isinstance(raw["due"], datetime):
        raise AssignmentError(path, "due", f"{raw['due']} is a date alone: give the time and its zone too, e.g. "
                                           f"{raw['due']}T23:59:00+01:00")
    try:
        assignment = msgspec.convert(raw, type=Assignment, strict=False)
    except msgspec.ValidationError as exc:
        field, message = split_validation_error(str(exc))
        if field == "visibility":
            message = f"{message}: expected one of public, hidden, after_due_date"
        elif field == "due":
            message = f"{message}: write the time and its zone, e.g. 2026-03-01T23:59:00+01:00"
        raise AssignmentError(path, field, message) from None
    _check_due(path, assignment)
    return LoadedAssignment(path, assignment, _resolve(path, assignment, course))


def _check_due(path: Path, assignment: Assignment) -> None:
    due = assignment.due
    # A due time without a zone would mean a different instant on each grading machine.
    if due is not None and due.tzinfo is None:
        raise AssignmentError(path, "due", f"'{due.isoformat()}' has no time zone: write it as e.g. "
                                           f"{due.strftime('%Y-%m-%dT%H:%M:%S')}+01:00 or ...Z for UTC")
    if assignment.visibility == "after_due_date" and due is None:
        raise AssignmentError(path, "visibility", "'after_due_date' needs a 'due' date")


def _resolve(path: Path, assignment: Assignment, course: Course) -> list[Due]:
    known = course.ids()
    resolved, seen = [], set()
    for index, item in enumerate(assignment.exercises):
        entry = Entry(id=item) if isinstance(item, str) else item
        field = f"exercises[{index}]" + ("" if isinstance(item, str) else ".id")
        if entry.id not in known:
            raise AssignmentError(path, field, unknown_exercise_message(entry.id, known))
        if entry.id in seen:
            raise AssignmentError(path, field, f"'{entry.id}' is listed twice")
        seen.add(entry.id)
        spec = course.get(entry.id)
        resolved.append(Due(spec, float(entry.points if entry.points is not None else spec.points)))
    return resolved



def rescore(result, points: float):
    """The result worth the assignment's points: the same fraction of them as of the spec's."""
    fraction = result.score / result.max_score if result.max_score else 0.0
    result.score, result.max_score = round(fraction * points, 2), points
    return result
