"""What runs on a Dask worker for `dlcheck batch --dask`: one warm grader per worker process.

Imported only when --dask is used (Dask is an optional extra: pip install 'dlcheck[dask]').
"""

from __future__ import annotations

from pathlib import Path

from distributed import WorkerPlugin, get_worker

from .backends import _safely
from .grade import StudentGrades, grade_student, spec_of

PLUGIN_NAME = "dlcheck-grader"


class GraderPlugin(WorkerPlugin):
    """A Dask WorkerPlugin: each worker process holds one warm Grader for the whole batch."""

    name = PLUGIN_NAME

    def __init__(self, course_root: str, secret: str, allow_weak: bool):
        self.course_root = course_root
        self.secret = secret
        self.allow_weak = allow_weak
        self.grader = None
        self.course = None

    def setup(self, worker) -> None:
        from ..catalog import Course
        from ..grading import Grader

        self.course = Course(Path(self.course_root))
        self.grader = Grader(self.course, secret=self.secret)
        self.grader.warm_up()
        # Fail closed on the worker too: a job there that lacks its layers is an internal error.
        self.grader.require_trusted = not self.allow_weak or not self.grader.sandbox_problems()

    def teardown(self, worker) -> None:
        if self.grader is not None:
            self.grader.close()


def reference_on_worker(exercise_id: str) -> list:
    """One exercise's reference cases (grading.ReferenceCase), computed once for the whole batch by
    one worker; the client broadcasts them to every worker (DaskBackend.run)."""
    plugin = get_worker().plugins[PLUGIN_NAME]
    return plugin.grader.reference_cases(spec_of(plugin.course, exercise_id))


def grade_on_worker(plan: list, files, previous: dict, only, references: dict) -> StudentGrades:
    """The task a Dask worker runs: grade one student with the worker's warm grader."""
    plugin = get_worker().plugins[PLUGIN_NAME]
    plugin.grader.adopt_references(references)
    return _safely(lambda: grade_student(plugin.grader, plugin.course, plan, files, previous, only), files.id)


def references_computed_on_worker(dask_worker) -> int:
    """Run through Client.run: how many reference processes this worker's grader ran."""
    return dask_worker.plugins[PLUGIN_NAME].grader.references_computed


def sandbox_problems_on_worker(dask_worker) -> list[str]:
    """Run through Client.run, which passes the worker itself."""
    return dask_worker.plugins[PLUGIN_NAME].grader.sandbox_problems()
