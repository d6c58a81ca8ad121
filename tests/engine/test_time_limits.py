"""Time limits count the CPU time a submission uses, not the wall time it takes (issue 8: a correct
submission timed out at load average 8.6 on two cores). Graded by the real engine on a copy of the
fixture course whose scaled_sum allows 1 s of CPU time per case; the machine is loaded for real, by
busy processes pinned to the core that the grader, its zygote and the worker are pinned to."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from dlcheck.catalog import Course
from dlcheck.errors import GraderFault
from dlcheck.grading import Grader
from dlcheck.submission import Submission

REPO = Path(__file__).resolve().parents[2]
SUBMISSIONS = REPO / "tests" / "fixtures" / "submissions"
CASE_SECONDS, TOTAL_SECONDS = 1, 6
HOGS = 5  # the worker gets at most a sixth of its core: 0.4 s of CPU take 2.4 s of wall time or more


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO / "tests" / "fixtures" / "course", root, dirs_exist_ok=True)
    spec = root / "exercises" / "scaled_sum.yaml"
    text = spec.read_text().replace("random: 4", "random: 2\n  hidden: 1")  # four cases: the tests wait for each
    spec.write_text(text.replace("limits: {case_seconds: 2, total_seconds: 8}",
                                 f"limits: {{case_seconds: {CASE_SECONDS}, total_seconds: {TOTAL_SECONDS}}}"))
    # The same exercise with less CPU time for the whole run than for one case, times two.
    (root / "exercises" / "scaled_sum_short.yaml").write_text(spec.read_text().replace(
        "id: scaled_sum", "id: scaled_sum_short").replace(f"total_seconds: {TOTAL_SECONDS}", "total_seconds: 1"))
    for suffix in ("", "_mistakes"):
        shutil.copy(root / "solutions" / f"scaled_sum{suffix}.py", root / "solutions" / f"scaled_sum_short{suffix}.py")
    return Course(root)


@pytest.fixture(scope="module")
def one_core():
    """This process, and so the zygote and every job it forks, on one core."""
    before = os.sched_getaffinity(0)
    core = min(before)
    os.sched_setaffinity(0, {core})
    yield core
    os.sched_setaffinity(0, before)


@pytest.fixture(scope="module")
def grader(course, one_core):
    with Grader(course) as g:
        g.reference_cases(course.get("scaled_sum"))  # the reference runs before the machine is loaded
        yield g


@contextmanager
def loaded(core: int, count: int = HOGS):
    """`count` busy processes on `core`, for as long as the block runs. Each in a session of its own:
    with autogroup scheduling the kernel shares a core between sessions (the worker has its own)
    before it shares it between their processes."""
    hogs = [subprocess.Popen([sys.executable, "-c", f"import os\nos.sched_setaffinity(0, {{{core}}})\nwhile True: pass"],
                             start_new_session=True) for _ in range(count)]
    try:
        time.sleep(0.2)
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def _burner(program: str) -> subprocess.Popen:
    """A process that runs `program`, prints a line once it has started, then keeps running."""
    process = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    process.stdout.readline()
    return process


@pytest.mark.parametrize("program", [
    # A keeper: the CPU is spent by its child (the worker, in a PID namespace of its own).
    "import os, sys, time\nif os.fork() == 0:\n    t = time.process_time()\n    while time.process_time() - t < 0.5: pass\n"
    "    print(flush=True)\n    time.sleep(60)\nelse:\n    time.sleep(60)",
    # Threads: the CPU is spent by a second thread while the main one sleeps.
    "import threading, time\ndef burn():\n    t = time.thread_time()\n    while time.thread_time() - t < 0.5: pass\n"
    "    print(flush=True)\nthreading.Thread(target=burn).start()\ntime.sleep(60)",
], ids=["child", "thread"])
def test_job_usage_counts_the_cpu_time_of_children_and_threads(program):
    from dlcheck.sandbox.usage import job_usage

    process = _burner(program)
    try:
        assert job_usage(process.pid).cpu >= 0.5
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the child too
        process.wait()
    assert job_usage(process.pid) is None  # gone: nothing to read


def grade(course, grader, name: str, exercise: str = "scaled_sum"):
    path = SUBMISSIONS / f"{name}.py"
    started = time.monotonic()
    result = grader.grade(course.get(exercise), Submission(path.read_text(), path.name, ".py"))
    return result, time.monotonic() - started


def test_a_correct_but_slow_submission_passes_on_a_loaded_machine(course, grader, one_core):
    with loaded(one_core):
        result, _ = grade(course, grader, "scaled_sum_slow_but_correct")
    assert result.status == "pass", result.message
    walls = [float(w) for w in re.findall(r"case took ([0-9.]+) s of wall time", result.output)]
    cpus = [float(c) for c in re.findall(r"wall time, ([0-9.]+) s of CPU time", result.output)]
    assert len(walls) == len(cpus) == len(result.tests)
    # The load was real: a case took longer in wall time than the limit, which a wall-clock limit
    # would have called a timeout, while no case came near its CPU time limit.
    assert max(walls) > CASE_SECONDS, walls
    assert max(cpus) < CASE_SECONDS / 2, cpus


def test_an_infinite_loop_still_times_out_within_the_cpu_limit_naming_the_case(course, grader):
    from dlcheck.time_limits import wall_backstop

    result, elapsed = grade(course, grader, "scaled_sum_hangs")
    first_case = result.tests[0].name
    assert result.status == "error"
    assert result.message.startswith(f"0 of {len(result.tests)} cases pass; first problem in case '{first_case}': "
                                     f"Timed out on case '{first_case}' (limit {CASE_SECONDS} s of CPU time). "
                                     f"Look for an infinite loop")
    assert [t.status for t in result.tests] == ["error"] + ["skipped"] * (len(result.tests) - 1)
    assert elapsed < wall_backstop(CASE_SECONDS)  # the CPU limit ended it, not the backstop


def test_the_whole_run_has_a_cpu_time_limit_too(course, grader):
    result, _ = grade(course, grader, "scaled_sum_slow_but_correct", "scaled_sum_short")
    statuses = [t.status for t in result.tests]
    assert statuses == ["pass", "pass", "error", "skipped"], statuses  # 0.4 s each: the third crosses 1 s
    assert (f"Timed out on case '{result.tests[2].name}' (limit 1 s of CPU time for all cases together)"
            in result.message), result.message


def test_an_infinite_loop_on_a_loaded_machine_is_still_a_timeout(course, grader, one_core):
    with loaded(one_core, 2):
        result, _ = grade(course, grader, "scaled_sum_hangs")
    assert "Timed out on case" in result.message and "of CPU time" in result.message


def test_a_sleeping_submission_ends_at_the_wall_backstop_with_its_own_message(course, grader):
    from dlcheck.time_limits import wall_backstop

    result, elapsed = grade(course, grader, "scaled_sum_sleeps")
    first_case = result.tests[0].name
    assert result.status == "error"
    assert f"Stopped on case '{first_case}' after {wall_backstop(CASE_SECONDS):.0f} s of wall time" in result.message
    assert "used only 0.0 s of CPU time: is it waiting on input or sleeping" in result.message
    assert "Timed out" not in result.message
    assert wall_backstop(CASE_SECONDS) <= elapsed < wall_backstop(CASE_SECONDS) + 5


@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="the kernel keeps no scheduler statistics")
def test_a_worker_starved_of_cpu_is_the_machines_fault_not_the_students(course, grader, one_core):
    from dlcheck.time_limits import wall_backstop

    # So many hogs that a case's 0.4 s of CPU time would take longer than the wall-clock backstop.
    hogs = int(wall_backstop(CASE_SECONDS) / 0.4) + 4
    with loaded(one_core, hogs), pytest.raises(GraderFault) as fault:
        grade(course, grader, "scaled_sum_slow_but_correct")
    assert re.match(r"the machine was too busy to grade this submission: on case '.+', its worker got 0\.\d s of "
                    r"CPU time in \d+ s and waited \d+ s for a CPU(; it is waiting for the disk or "
                    r"memory)?; grade it again when the machine is less loaded$", str(fault.value)), str(fault.value)


# ------------------------------------------------------------ the clock's rules, on a simulated job

class SimulatedJob:
    """A job whose wall time, CPU time and queue time the test sets (time_limits reads the wall
    time through its `time` module)."""

    def __init__(self, monkeypatch, readable: bool = True):
        import dlcheck.time_limits as time_limits

        self.wall, self.cpu, self.queued, self.active, self.readable = 100.0, 0.0, 0.0, False, readable
        monkeypatch.setattr(time_limits, "time", self)

    def monotonic(self) -> float:
        return self.wall

    def usage(self):
        from dlcheck.sandbox.usage import Usage

        return Usage(self.cpu, self.queued, self.active) if self.readable else None

    def clock(self):
        from dlcheck.time_limits import RunClock

        return RunClock(self.usage, case_seconds=2, total_seconds=5)


def test_the_clock_is_asked_again_when_the_cpu_budget_could_first_run_out(monkeypatch):
    job = SimulatedJob(monkeypatch)
    clock = job.clock()
    assert clock.watch() == 0.5  # 2 s left, but looked at again within half a second
    job.wall, job.cpu = 110.0, 1.9  # ten seconds of wall time change nothing
    assert clock.watch() == pytest.approx(0.1)
    job.cpu = 2.0
    assert clock.watch() == 0 and clock.time_up("on case 'a'").startswith(
        "Timed out on case 'a' (limit 2 s of CPU time).")


def test_each_stage_has_its_own_budget_and_the_run_its_total(monkeypatch):
    job = SimulatedJob(monkeypatch)
    clock = job.clock()
    for _ in range(2):
        job.cpu += 1.9
        clock.next_stage()
    assert clock.watch() > 0  # 3.8 s in all, 0 in this stage
    job.cpu += 1.2
    assert clock.watch() == 0
    assert "(limit 5 s of CPU time for all cases together)" in clock.time_up("on case 'c'")


def test_the_wall_clock_backstop_blames_only_a_sleeping_worker(monkeypatch):
    from dlcheck.time_limits import wall_backstop

    job = SimulatedJob(monkeypatch)
    clock = job.clock()
    assert clock.wall_deadline() == 100.0 + wall_backstop(2)
    job.wall, job.cpu, job.queued = clock.wall_deadline(), 0.3, 1.0
    assert clock.time_up("on case 'a'").startswith("Stopped on case 'a' after 11 s of wall time, in which your "
                                                   "code used only 0.3 s of CPU time")
    job.active = True  # in uninterruptible I/O now: the machine's disk or memory, not the submission
    with pytest.raises(GraderFault, match="it is waiting for the disk or memory"):
        clock.time_up("on case 'a'")
    job.active, job.queued = False, 6.0  # most of the 11 s spent waiting for a CPU
    with pytest.raises(GraderFault, match="waited 6 s for a CPU; grade it again"):
        clock.time_up("on case 'a'")


def test_where_proc_cannot_be_read_wall_time_counts_as_cpu_time(monkeypatch):
    job = SimulatedJob(monkeypatch, readable=False)
    clock = job.clock()
    job.wall += 1.0
    assert clock.watch() == pytest.approx(0.5)
    job.wall += 1.0
    assert clock.watch() == 0 and clock.time_up("on case 'a'").startswith("Timed out on case 'a'")
