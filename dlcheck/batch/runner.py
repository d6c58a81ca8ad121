"""`dlcheck batch`: a whole class graded, on this machine or a Dask cluster.

students (students.py) → each graded by one warm grader, in parallel (backends.py) → DIR, written
as each student finishes (store.py) → gradebook, report and manifest, rebuilt from DIR at the end.
The grading process keeps one sandbox zygote (one torch import), whose forked workers run the
submissions; each exercise's reference is computed once for the whole batch; symbolic answers go
to one warm sympy process. Ctrl-C stops handing out students, lets those in progress finish (a
second Ctrl-C kills them) and still writes consistent class files: a rerun picks up where it
stopped, since unchanged results are reused.
"""

from __future__ import annotations

import difflib
import io
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

from ..errors import UsageError
from ..workspace import stray_names, submission_names
from .grade import StudentGrades
from .plan import batch_secret, make_plan
from .store import BatchStore, StudentRecord
from .students import StudentFiles, discover, read_student

MANIFEST_SCHEMA = "dlcheck.batch/1"


@dataclass
class BatchOptions:
    submissions: Path
    out: Path
    jobs: int
    student: str | None = None  # regrade this student only (every exercise, whatever changed)
    exercise: str | None = None  # regrade this exercise only (for every student, or --student)
    dask: str | None = None  # "local" or a scheduler address
    allow_weak_sandbox: bool = False


@dataclass
class BatchOutcome:
    records: list[StudentRecord]
    graded_now: int  # students graded (or regraded) in this run
    reused: int  # submission-exercises whose earlier result was reused
    exercises_graded: int  # submission-exercises graded in this run
    seconds: float
    interrupted: bool
    secret_origin: str

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.records)


def run_batch(course, loaded, options: BatchOptions, console: Console) -> BatchOutcome:
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    store = BatchStore(options.out)
    store.prepare()
    secret, secret_origin = batch_secret(options.out)
    plan = make_plan(course, loaded, secret)
    everyone = _students(options.submissions)
    chosen = _chosen(everyone, options.student)
    only = _regrade_only(plan, options)
    wanted = {name for exercise in plan for name in submission_names(exercise.id, exercise.kind)}
    kinds = {spec.id: spec.kind for spec in course.specs}
    due_ids = {exercise.id for exercise in plan}
    seconds: dict[str, float] = {}
    problems: dict[str, str] = {}
    counts = {"graded": 0, "reused": 0, "students": 0}

    def finished(files: StudentFiles, grades: StudentGrades | None) -> None:
        if files.problem is not None:
            store.save_problem(files)
            problems[files.id] = files.problem
        elif not grades.stopped:
            document, feedback = _student_document(files, grades, plan, loaded, kinds, due_ids)
            store.save(files, grades, document, feedback)
            reused = sum(g.reused for g in grades.exercises.values())
            counts["reused"] += reused
            counts["graded"] += len(grades.exercises) - reused
            seconds[files.id] = sum(g.result["seconds"] for g in grades.exercises.values())
        counts["students"] += 1

    def load(student: str, entry: Path | None) -> tuple[StudentFiles, dict]:
        return read_student(student, entry, wanted, course.solutions_dir), store.previous(student)

    backend = _backend(course, secret, options)
    interrupted = False
    with backend, _progress(console, len(chosen)) as progress:
        backend.check_sandbox(options.allow_weak_sandbox)
        try:
            backend.run(chosen, load, plan, only, finished, progress)
        except KeyboardInterrupt:
            interrupted = True
            console.print("[bold yellow]Interrupted[/]: students in progress were dropped; DIR holds every "
                          "student graded so far. Run the same command again to finish.")
        references_computed = backend.references_computed()
    records = [store.record(student, entry.name if entry else student, problems.get(student),
                            seconds.get(student, 0.0)) for student, entry in everyone]
    _keep_earlier_seconds(records)
    finished_at = datetime.now(timezone.utc)
    manifest = _manifest(course, loaded, plan, options, records, started, finished_at)
    manifest["references_computed"] = references_computed
    store.write_class_files(manifest, records, plan)
    return BatchOutcome(records, counts["students"], counts["reused"], counts["graded"],
                        time.monotonic() - clock, interrupted, secret_origin)


def _students(submissions: Path) -> list[tuple[str, Path | None]]:
    if not submissions.is_dir():
        raise UsageError(f"{submissions}: no such directory; SUBMISSIONS is a directory holding one folder, "
                         f".zip or git repository per student.")
    found = discover(submissions)
    if not found:
        raise UsageError(f"{submissions} holds no student folders, .zip files or git repositories.")
    return found


def _chosen(everyone: list, student: str | None) -> list:
    if student is None:
        return everyone
    chosen = [pair for pair in everyone if pair[0] == student]
    if not chosen:
        close = difflib.get_close_matches(student, [s for s, _ in everyone], n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UsageError(f"--student {student}: no such student in the submissions.{hint}")
    return chosen


def _regrade_only(plan: list, options: BatchOptions) -> set[str] | None:
    ids = [exercise.id for exercise in plan]
    if options.exercise is not None and options.exercise not in ids:
        close = difflib.get_close_matches(options.exercise, ids, n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UsageError(f"--exercise {options.exercise}: not an exercise of this assignment.{hint}")
    if options.exercise is not None:
        return {options.exercise}
    return set(ids) if options.student is not None else None


def _backend(course, secret: str, options: BatchOptions):
    from .backends import DaskBackend, LocalBackend

    if options.dask is not None:
        return DaskBackend(course, secret, options.dask, options.jobs)
    return LocalBackend(course, secret, options.jobs)


def _student_document(files: StudentFiles, grades: StudentGrades, plan: list, loaded, kinds: dict,
                      due_ids: set[str]) -> tuple[dict, str]:
    from ..results import summary_of

    results = [grades.exercises[exercise.id].result for exercise in plan]
    document = summary_of(results)
    document["warnings"] = stray_names(files.names, kinds, due_ids)
    document["assignment"] = loaded.to_json()
    document["student"] = files.id
    return document, _feedback(files, grades, plan, document, loaded)


def _feedback(files: StudentFiles, grades: StudentGrades, plan: list, document: dict, loaded) -> str:
    """The student's text report: the summary table, warnings, then each exercise's report."""
    from types import SimpleNamespace

    from ..report import render_summary, render_warnings

    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, no_color=True, width=100)
    title = f"{loaded.assignment.name or loaded.file.name} · {files.id}"
    render_summary(console, [SimpleNamespace(**r) for r in document["results"]], title=title)
    render_warnings(console, document["warnings"])
    for exercise in plan:
        console.print()
        console.print(grades.exercises[exercise.id].feedback, end="", markup=False, highlight=False)
    return buffer.getvalue()


def _keep_earlier_seconds(records: list[StudentRecord]) -> None:
    """A student not graded in this run keeps the time their results took when they were graded."""
    for record in records:
        if not record.seconds and record.document:
            record.seconds = sum(r["seconds"] for r in record.document["results"])


def _manifest(course, loaded, plan, options: BatchOptions, records, started, finished) -> dict:
    from .. import __version__

    specs = {spec.id: spec for spec in course.specs}
    return {
        "schema": MANIFEST_SCHEMA,
        "assignment": {**loaded.to_json(), "exercises": [
            {"id": e.id, "kind": e.kind, "points": e.points, "title": specs[e.id].title,
             "chapter": specs[e.id].chapter} for e in plan]},
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "jobs": options.jobs,
        "backend": "dask " + options.dask if options.dask else "local",
        "dlcheck_version": __version__,
        "students": [record.to_manifest() for record in records],
    }


class _Progress:
    """A Rich progress bar: students done/total, submission-exercises per second, ETA."""

    def __init__(self, console: Console, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("students · {task.fields[rate]}"), TimeRemainingColumn(),
                                  console=console, transient=False)
        self._task = self._progress.add_task("grading", total=total, rate="")
        self._started = time.monotonic()
        self._exercises = 0
        self._lock = threading.Lock()

    def advance(self, exercises_graded: int) -> None:
        with self._lock:
            self._exercises += exercises_graded
            rate = self._exercises / max(time.monotonic() - self._started, 1e-9)
            self._progress.update(self._task, advance=1, rate=f"{rate:.1f} exercises/s")

    def __enter__(self) -> "_Progress":
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()


def _progress(console: Console, total: int) -> _Progress:
    return _Progress(console, total)
