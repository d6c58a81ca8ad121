"""Where a batch's students are graded: threads on this machine, or the workers of a Dask cluster.

Both run `grade.grade_student` with one warm grader per process: here one `Grader` (one sandbox
zygote, one torch import; its forked workers run in parallel, one per thread), on Dask one per
worker process, started once by a WorkerPlugin. Either way each reference is computed once for the
batch: here the threads share the grader's, on Dask one worker computes it and the client
broadcasts it to all. Students go out as data (their files) and come back as data (their results);
only the client writes DIR.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable

from .grade import StudentGrades, grade_student, needing_a_reference

WAIT_SECONDS = 0.25  # how often the client wakes up to notice Ctrl-C


def _deliver(future: Future, files, finished: Callable, progress) -> None:
    grades: StudentGrades = future.result()
    finished(files, grades)
    progress.advance(sum(not g.reused for g in grades.exercises.values()))


def _gradable(chosen: list, load: Callable, finished: Callable, progress):
    """(files, previous results) of each student whose submission could be read; the others are
    finished at once, as `error`."""
    for student, entry in chosen:
        files, previous = load(student, entry)
        if files.problem is not None:
            finished(files, None)
            progress.advance(0)
            continue
        yield files, previous


def _safely(grade: Callable[[], StudentGrades], student: str) -> StudentGrades:
    """A student whose grading failed in dlcheck itself is left ungraded (a rerun retries), never the batch."""
    try:
        return grade()
    except Exception:  # noqa: BLE001 - reported in the student's record as not graded yet
        return StudentGrades(student, stopped=True)


class LocalBackend:
    def __init__(self, course, secret: str, jobs: int):
        from ..grading import Grader

        self.course = course
        self.jobs = max(1, jobs)
        self.grader = Grader(course, secret=secret)
        self._stop = threading.Event()

    def check_sandbox(self, allow_weak: bool) -> None:
        self.grader.warm_up()
        self.grader.enforce_trust(True, allow_weak, what_counts="dlcheck batch")

    def run(self, chosen: list, load: Callable, plan: list, only, finished: Callable, progress) -> None:
        pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="dlcheck-grade")
        pending: dict[Future, object] = {}
        try:
            for files, previous in _gradable(chosen, load, finished, progress):
                pending[pool.submit(_safely, lambda f=files, p=previous: grade_student(
                    self.grader, self.course, plan, f, p, only, self._stop.is_set), files.id)] = files
                self._deliver_done(pending, finished, progress, block=False)
            while pending:
                self._deliver_done(pending, finished, progress, block=True)
        except KeyboardInterrupt:
            self._stop_now(pool, pending, finished, progress)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def references_computed(self) -> int:
        """Reference processes run so far: one per exercise graded, shared by every thread."""
        return self.grader.references_computed

    def _deliver_done(self, pending: dict, finished: Callable, progress, block: bool) -> None:
        done, _ = wait(list(pending), timeout=WAIT_SECONDS if block else 0, return_when=FIRST_COMPLETED)
        for future in done:
            _deliver(future, pending.pop(future), finished, progress)

    def _stop_now(self, pool, pending: dict, finished: Callable, progress) -> None:
        """First Ctrl-C: no new student starts; those in progress stop at their next exercise and are
        dropped; those done are kept. A second Ctrl-C kills the running workers at once."""
        self._stop.set()
        for future in pending:
            future.cancel()
        try:
            while any(not f.done() for f in pending):
                wait(list(pending), timeout=WAIT_SECONDS)
        except KeyboardInterrupt:
            self.grader.close()  # kills every job; their students come back stopped or failed
            wait(list(pending))
        for future, files in pending.items():
            if not future.cancelled() and future.exception() is None:
                _deliver(future, files, finished, progress)  # stopped ones are not saved

    def __enter__(self) -> "LocalBackend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.grader.close()


# ------------------------------------------------------------------ Dask (dask_worker.py runs on the workers)

class DaskBackend:
    def __init__(self, course, secret: str, address: str, jobs: int):
        self.course = course
        self.secret = secret
        self.address = address
        self.jobs = max(1, jobs)
        self._cluster = None
        self._client = None

    def check_sandbox(self, allow_weak: bool) -> None:
        from ..errors import WeakSandbox

        self._connect(allow_weak)
        from .dask_worker import sandbox_problems_on_worker

        problems = sorted({p for found in self._client.run(sandbox_problems_on_worker).values() for p in found})
        if problems and not allow_weak:
            raise WeakSandbox(f"the Dask workers cannot apply the sandbox layers that make a grade trustworthy "
                              f"(missing: {'; '.join(problems)}). Enable user namespaces or Landlock on them "
                              f"(docs/security.md), or pass --allow-weak-sandbox.")

    def _connect(self, allow_weak: bool) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            from ..errors import UsageError

            raise UsageError("--dask needs Dask: pip install 'dlcheck[dask]'") from None
        if self.address == "local":
            # One single-threaded worker process per job: each holds its own zygote.
            self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
        else:
            self._client = Client(self.address)
        from .dask_worker import PLUGIN_NAME, GraderPlugin

        self._client.register_plugin(GraderPlugin(str(self.course.root), self.secret, allow_weak),
                                     name=PLUGIN_NAME)

    def run(self, chosen: list, load: Callable, plan: list, only, finished: Callable, progress) -> None:
        from distributed import as_completed

        from .dask_worker import grade_on_worker

        students = list(_gradable(chosen, load, finished, progress))
        futures = {}
        try:
            references = self._shared_references(plan, students, only)
            for files, previous in students:
                futures[self._client.submit(grade_on_worker, plan, files, previous, only, references, pure=False,
                                            key=f"dlcheck-{files.id}-{id(files)}")] = files
            for future in as_completed(list(futures)):
                _deliver(future, futures[future], finished, progress)
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            raise

    def _shared_references(self, plan: list, students: list, only):
        """Each reference the batch needs, computed once by one worker and broadcast to all (as a
        future the grading tasks take). One that fails is left out: each worker then computes it
        itself and fails that exercise as the local path does (an internal error)."""
        from .dask_worker import reference_on_worker

        needed = sorted(set().union(*(needing_a_reference(plan, f, p, only) for f, p in students)))
        computing = {exercise_id: self._client.submit(reference_on_worker, exercise_id, pure=False,
                                                      key=f"dlcheck-reference-{exercise_id}")
                     for exercise_id in needed}
        computed = self._client.gather(computing, errors="skip")
        return self._client.scatter([computed], broadcast=True)[0]

    def references_computed(self) -> int:
        """Reference processes run on all workers so far (once per exercise when shared)."""
        from .dask_worker import references_computed_on_worker

        return sum(self._client.run(references_computed_on_worker).values())

    def __enter__(self) -> "DaskBackend":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
