"""A small class graded through the real CLI, as `dlcheck batch` would hand it to the class report.

Each student is a workspace graded by `dlcheck grade --assignment FILE --format json --workspace DIR`
(one CLI call per student); the manifest is composed the way docs/class-report.md describes
`batch.json`. Used by tests/test_class_report.py and scripts/report_screenshot.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.assignment import load_assignment
from dlcheck.catalog import Course



@dataclass
class Student:
    id: str
    files: dict[str, str] = field(default_factory=dict)  # workspace file name -> its text
    error: str | None = None  # set: the whole submission could not be graded (nothing runs)


@dataclass
class GradedClass:
    batch: dict
    results: dict[str, dict]


def grade_class(root: Path, course: Path, assignment: str, students: list[Student],
                name: str = "week.yaml") -> GradedClass:
    """Grade every student of `students` against the assignment text `assignment` in `course`."""
    root.mkdir(parents=True, exist_ok=True)
    assignment_file = root / name
    assignment_file.write_text(assignment)
    env = {**os.environ, "DLCHECK_COURSE": str(course), "XDG_CACHE_HOME": str(root / "cache"), "COLUMNS": "120"}
    results, entries = {}, []
    for student in students:
        document = None if student.error else _grade(root, env, assignment_file, student)
        if document is not None:
            document["student"] = student.id
            results[student.id] = document
        entries.append(_manifest_entry(student, document))
    batch = {"schema": "dlcheck.batch/1", "assignment": _assignment_entry(course, assignment_file),
             "started": "2026-12-02T07:00:00+00:00", "finished": "2026-12-02T07:01:12+00:00", "jobs": 2,
             "dlcheck_version": "0.1.0", "students": entries}
    return GradedClass(batch, results)


def _grade(root: Path, env: dict, assignment_file: Path, student: Student) -> dict:
    workspace = root / "submissions" / student.id
    workspace.mkdir(parents=True, exist_ok=True)
    for file_name, text in student.files.items():
        (workspace / file_name).write_text(text)
    done = subprocess.run([sys.executable, "-m", "dlcheck", "grade", "--assignment", str(assignment_file),
                           "--format", "json", "--workspace", str(workspace)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, 1):  # 1: something failed or is missing, as in most classes
        raise RuntimeError(f"grading {student.id} exited {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _manifest_entry(student: Student, document: dict | None) -> dict:
    totals = document["totals"] if document else None
    folder = f"students/{student.id}"
    return {"id": student.id, "source": f"{student.id}.zip", "status": "error" if student.error else "graded",
            "error": student.error, "score": totals["score"] if totals else None,
            "max_score": totals["max_score"] if totals else None,
            "seconds": round(sum(r["seconds"] for r in document["results"]), 3) if document else 0.0,
            "results": f"{folder}/results.json" if document else None, "feedback": f"{folder}/feedback.txt"}


def _assignment_entry(course: Path, assignment_file: Path) -> dict:
    """The manifest's assignment: its fields, and each exercise's kind, points, title and chapter."""
    loaded = load_assignment(assignment_file, Course(course))
    exercises = [{"id": due.spec.id, "kind": due.spec.kind, "points": due.points, "title": due.spec.title,
                  "chapter": due.spec.chapter} for due in loaded.exercises]
    return {**loaded.to_json(), "file": assignment_file.name, "exercises": exercises}
