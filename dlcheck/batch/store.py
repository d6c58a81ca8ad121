"""The batch's output directory, DIR: what each student got, and the class's files built from it.

    DIR/students/<id>/results.json   the student's dlcheck.result/1 document (with `student`)
    DIR/students/<id>/feedback.txt   the text report the student reads
    DIR/students/<id>/state.json     the key each result was graded under (for reruns)
    DIR/gradebook.csv, DIR/report.html, DIR/batch.json

Every file is written whole or not at all (atomic_write), and a student's state.json is written
last: it is what a rerun trusts. A run stopped at any moment (Ctrl-C, a crash, a full disk) leaves
each student either as the last complete run graded them or as before, and the class files are
rebuilt from the students' files at the end of every run, so DIR is always consistent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import strict_json
from ..atomic_write import write_atomically
from .grade import GradedExercise, StudentGrades
from .students import StudentFiles

STATE_SCHEMA = "dlcheck.batch-state/1"
GRADED, INCOMPLETE, ERROR = "graded", "incomplete", "error"


@dataclass
class StudentRecord:
    """What DIR holds for one student."""

    id: str
    source: str
    status: str  # graded | incomplete (dlcheck failed on an exercise: a rerun retries) | error
    error: str | None
    document: dict | None  # results.json
    seconds: float

    def to_manifest(self) -> dict:
        totals = self.document["totals"] if self.document else {"score": 0.0, "max_score": 0.0}
        folder = f"students/{self.id}"
        return {"id": self.id, "source": self.source, "status": self.status, "error": self.error,
                "score": totals["score"], "max_score": totals["max_score"], "seconds": round(self.seconds, 3),
                "results": f"{folder}/results.json" if self.document else None,
                "feedback": f"{folder}/feedback.txt"}


class BatchStore:
    def __init__(self, root: Path):
        self.root = root
        self.students_dir = root / "students"

    def prepare(self) -> None:
        self.students_dir.mkdir(parents=True, exist_ok=True)

    def folder(self, student: str) -> Path:
        return self.students_dir / student

    def previous(self, student: str) -> dict[str, GradedExercise]:
        """The results a complete earlier run left for this student, by exercise (empty when none)."""
        try:
            state = json.loads((self.folder(student) / "state.json").read_text(encoding="utf-8"))
            document = json.loads((self.folder(student) / "results.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if state.get("schema") != STATE_SCHEMA:
            return {}
        results = {r["exercise"]: r for r in document.get("results", [])}
        return {exercise: GradedExercise(entry["key"], results[exercise], entry["feedback"])
                for exercise, entry in state.get("exercises", {}).items() if exercise in results}

    def save(self, files: StudentFiles, grades: StudentGrades, document: dict, feedback: str) -> None:
        folder = self.folder(files.id)
        folder.mkdir(exist_ok=True)
        write_atomically(folder / "results.json", strict_json.dumps(document, indent=2) + "\n")
        write_atomically(folder / "feedback.txt", feedback)
        state = {"schema": STATE_SCHEMA, "student": files.id, "source": files.source,
                 "exercises": {exercise: {"key": graded.key, "feedback": graded.feedback}
                               for exercise, graded in grades.exercises.items()}}
        write_atomically(folder / "state.json", json.dumps(state, indent=1) + "\n")

    def save_problem(self, files: StudentFiles) -> None:
        """A submission that could not be read at all: its feedback says why; no results."""
        folder = self.folder(files.id)
        folder.mkdir(exist_ok=True)
        for stale in ("state.json", "results.json"):
            (folder / stale).unlink(missing_ok=True)
        write_atomically(folder / "feedback.txt", f"{files.source}: not graded: {files.problem}\n")

    def record(self, student: str, source: str, problem: str | None, seconds: float) -> StudentRecord:
        """The student as DIR now holds them (after this run, or as an earlier run left them)."""
        if problem is not None:
            return StudentRecord(student, source, ERROR, problem, None, seconds)
        try:
            document = json.loads((self.folder(student) / "results.json").read_text(encoding="utf-8"))
            (self.folder(student) / "state.json").stat()
        except (OSError, ValueError):
            return StudentRecord(student, source, INCOMPLETE, "not graded yet (the run was stopped)", None, seconds)
        internal = sum(r["internal_error"] for r in document["results"])
        status = INCOMPLETE if internal else GRADED
        why = f"dlcheck failed on {internal} exercise(s); a rerun grades them again" if internal else None
        return StudentRecord(student, source, status, why, document, seconds)

    def write_class_files(self, manifest: dict, records: list[StudentRecord], plan) -> None:
        from .gradebook import gradebook_csv

        write_atomically(self.root / "gradebook.csv", gradebook_csv(records, plan))
        write_atomically(self.root / "batch.json", json.dumps(manifest, indent=2) + "\n")
        from ..class_report import render_class_report

        results = {r.id: r.document for r in records if r.document is not None}
        write_atomically(self.root / "report.html", render_class_report(manifest, results))
