"""Grading: spec -> cases -> reference + isolated student run -> comparison -> result.

This module runs in the grading process, which decides verdicts. It never imports torch or sympy
and never executes submission code: the reference and the submission run in processes forked by
the sandbox's zygote, and their outputs arrive here as plain wire data.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import msgspec
from msgspec import Raw

from . import rules, wire
from .answer_files import FileAnswer, answer_in_file
from .catalog import Course
from .compare import compare_safely, describe_type
from .diagnosis import Stop, diagnose, symbolic_diagnosis
from .errors import DlcheckError, GraderFault, WeakSandbox
from .input_feedback import changed_message, unchecked_message
from .messages import (
    CaseRaised, CaseResult, ErrorInfo, ImportFailed, InputChange, Isolation, JobLimits, MissingFunction, Ready,
    ReferenceCases, ReferenceFault, ReferenceJob, RuleBroken, RuleTraps, StudentJob, SyntaxProblem,
    WorkerEvent,
)
from .results import ERROR, FAIL, PASS, SKIPPED, Failure, GradeResult, TestResult, overall_status
from .sandbox import ExitInfo, Job, Sandbox
from .sandbox.channel import ChannelClosed, ChannelOverflow, ChannelTimeout
from .sandbox.trust import exposure_problems, missing_layers
from .sandbox.control import INTERNAL_FAILURE_STATUS
from .spec import Exercise as Spec
from .spec import to_data
from .student_files import MAX_SUBMISSION_BYTES
from .submission import Submission
from .symbolic.client import SymbolicChecker
from .time_limits import RunClock
from .wire import Bounds, WireError, grader_value, unpack_value

MAX_SOURCE_BYTES = MAX_SUBMISSION_BYTES
SECRET_ENV = "DLCHECK_SECRET"
REFERENCE_SECONDS = 120.0
OUTPUT_LIMIT_MB = 16  # stdout, stderr and any file the submission writes in its scratch dir

# What a student worker may send (docs/grading.md, "What crosses the boundary"). A case's result
# may be RESULT_SIZE_FACTOR times the size of its expected output (a tensor of the right shape in
# float64 where bool or int8 is expected is 8x larger: a wrong dtype, to be reported as one) plus
# RESULT_SLACK_BYTES, and hold RESULT_NODE_FACTOR times as many values plus RESULT_SLACK_NODES.
RESULT_SIZE_FACTOR = 8
RESULT_SLACK_BYTES = 64 * 1024
RESULT_NODE_FACTOR = 4
RESULT_SLACK_NODES = 4096
# Any other message (isolation report, exception, rule, import problem) is small by its schema.
EVENT_BOUNDS = Bounds(max_bytes=64 * 1024, max_nodes=1024)
# All of a run's messages together: every result at its cap, plus this for everything else.
RUN_SLACK_BYTES = 1024 * 1024


@dataclass
class ReferenceCase:
    name: str
    args: dict[str, Raw]  # still encoded: forwarded verbatim to the worker
    inputs: dict[str, Any]  # decoded, for display
    expected: Any
    mistakes: dict[str, Any]  # each mistake's and variant's output, by function name
    hidden: bool = False  # drawn from a seed the student cannot know; reported without values
    expected_bytes: int = 0  # the expected output's encoded size and number of msgpack values,
    expected_nodes: int = 1  # from which the bounds on the student's result are derived

    @property
    def result_bounds(self) -> Bounds:
        return Bounds(max_bytes=RESULT_SIZE_FACTOR * self.expected_bytes + RESULT_SLACK_BYTES,
                      max_nodes=RESULT_NODE_FACTOR * self.expected_nodes + RESULT_SLACK_NODES)


@dataclass
class StudentRun:
    values: dict[int, Any] = field(default_factory=dict)  # case index -> decoded output
    errors: dict[int, dict] = field(default_factory=dict)  # case index -> exception description
    changed_inputs: dict[int, list[InputChange]] = field(default_factory=dict)  # arguments a call changed
    unchecked_inputs: dict[int, str] = field(default_factory=dict)  # why a call's arguments could not be checked
    seconds: dict[int, float] = field(default_factory=dict)  # case index -> wall time until its result arrived
    problem: TestResult | None = None  # import/setup failure, timeout or crash
    problem_case: int | None = None
    stopped_because: str = ""  # the problem in words that follow "your code" ("ran out of time", …)
    violations: list[dict] = field(default_factory=list)
    isolation: list[str] | None = None  # the sandbox layers the worker reported before running code
    crashed: bool = False  # the worker stopped on its own (exit status or signal explains why)
    exit: ExitInfo | None = None


class Grader:
    """Grades submissions for one course. Starts the sandbox lazily; use as a context manager."""

    def __init__(self, course: Course, secret: str | None = None):
        self.course = course
        # Hidden cases come from the instructor's secret (stable grades), else from a key drawn for
        # this run alone; either way the student cannot know them.
        secret = secret if secret is not None else os.environ.get(SECRET_ENV) or None
        self._hidden_key = secret.encode() if secret else secrets.token_bytes(32)
        self.hidden_seed_source = "secret" if secret else "per-run"
        self._sandbox: Sandbox | None = None
        self.symbolic = SymbolicChecker()  # cheap: its server (the sympy import) starts on the first answer
        self._references: dict[str, list[ReferenceCase]] = {}
        # A batch grades from several threads: the sandbox starts once, each reference is computed once.
        self._lock = threading.Lock()
        self._reference_locks: dict[str, threading.Lock] = {}
        self.references_computed = 0  # reference processes run (a batch runs one per exercise)
        # Grading that counts: a job whose sandbox came out weaker than trusted is an internal error.
        self.require_trusted = False

    @property
    def sandbox(self) -> Sandbox:
        with self._lock:
            if self._sandbox is None:
                self._sandbox = Sandbox()
            return self._sandbox

    def hidden_seed(self, exercise_id: str) -> int:
        digest = hmac.new(self._hidden_key, exercise_id.encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") >> 1  # a non-negative int64

    def sandbox_problems(self) -> list[str]:
        """Why this machine's sandbox cannot make a verdict trustworthy (empty when it can)."""
        probe = self.sandbox.probe
        return missing_layers(probe.layers) + exposure_problems(self.course.root, probe.exposed)

    def enforce_trust(self, counts: bool, allow_weak: bool, what_counts: str) -> list[str]:
        """Grading that counts refuses a sandbox too weak to trust (WeakSandbox), unless allowed; then
        every job must get its layers. Returns what is missing (empty when nothing is)."""
        problems = self.sandbox_problems()
        if not problems:
            self.require_trusted = counts
            return []
        if counts and not allow_weak:
            raise WeakSandbox(f"this machine cannot apply the sandbox layers that make a grade trustworthy "
                              f"(missing: {'; '.join(problems)}). Grading that counts ({what_counts}) refuses. "
                              f"{self.sandbox.host.advice()}; results then say \"trusted\": false.")
        return problems

    def warm_up(self) -> None:
        """Start the zygote now, so its torch import overlaps with the grader's own start-up."""
        _ = self.sandbox

    def close(self) -> None:
        self.symbolic.close()
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def grade_file(self, spec: Spec, path: Path) -> GradeResult:
        """grade() on the student's file at `path`, read safely (student_files): a file dlcheck refuses
        to read (a link, a FIFO, a reference …) is this exercise's `error` result, saying why."""
        from .submission import RejectedFile, display_name, read_submission

        try:
            submission = read_submission(path, self.course.solutions_dir, spec.id, spec.kind)
        except RejectedFile as rejected:
            return rejected_result(spec, display_name(path), str(rejected))
        return self.grade(spec, submission)

    def grade(self, spec: Spec, submission: Submission) -> GradeResult:
        """The one grading entry point: a code or symbolic exercise, from the student's text."""
        started = time.monotonic()
        if spec.kind == "symbolic":
            read = FileAnswer(submission.text) if not submission.suffix else answer_in_file(submission.text,
                                                                                             submission.suffix)
            result = grade_symbolic(self.course, spec, read.text, submission.name, self.symbolic,
                                    seed=self.hidden_seed(spec.id))
            result.notes += read.notes(submission.name)
        else:
            result = self.grade_code(spec, submission.text, submission.name)
        if submission.cells is not None:
            submission.cells.relocate(result)  # "homework.ipynb, cell 4, line 3", not the script's line 37
        result.seconds = round(time.monotonic() - started, 4)
        return result

    # ------------------------------------------------------------ code exercises

    def grade_code(self, spec: Spec, source: str, display_name: str) -> GradeResult:
        result = GradeResult(spec.id, "code", ERROR, "", float(spec.points), submission=display_name)
        if len(source.encode("utf-8", errors="replace")) > MAX_SOURCE_BYTES:
            problem = f"{display_name} is larger than {MAX_SOURCE_BYTES // 1000} kB; submit only your solution"
            return _finish(result, [TestResult("load", ERROR, problem)], problem)
        try:
            # A name no file has: given a real path, CPython re-reads the offending line from that file
            # (through any link, BOM included) instead of quoting the source it was given.
            tree = ast.parse(source, filename=f"<{display_name}>")
        except SyntaxError as exc:
            message = _syntax_message(display_name, exc.lineno, exc.offset, exc.text, exc.msg)
            return _finish(result, [TestResult("syntax", ERROR, message)], message)
        except (ValueError, RecursionError, MemoryError) as exc:
            message = f"{display_name} cannot be parsed as Python: {exc}"
            return _finish(result, [TestResult("syntax", ERROR, message)], message)
        violations = rules.scan_source(tree, to_data(spec.rules))
        if violations:
            return _rule_result(result, display_name, violations)
        cases = self.reference_cases(spec)
        run = self._run_student(spec, source, display_name, cases)
        return self._judge(spec, result, cases, run)

    def reference_cases(self, spec: Spec) -> list[ReferenceCase]:
        with self._lock:
            lock = self._reference_locks.setdefault(spec.id, threading.Lock())
        with lock:
            if spec.id not in self._references:
                self._references[spec.id] = self.fresh_reference_cases(spec)
            return self._references[spec.id]

    def adopt_references(self, computed: dict[str, list[ReferenceCase]]) -> None:
        """References computed by another grader of the same batch (same course and secret: a Dask
        worker's), so that each is computed once for the whole batch; one already here is kept."""
        with self._lock:
            for exercise_id, cases in computed.items():
                self._references.setdefault(exercise_id, cases)

    def fresh_reference_cases(self, spec: Spec) -> list[ReferenceCase]:
        """The cases computed anew in a fresh reference process (reference_cases caches them)."""
        self.references_computed += 1
        job = self.sandbox.spawn("reference", JobLimits(memory_mb=8192, cpu_seconds=REFERENCE_SECONDS))
        try:
            job.send(ReferenceJob(
                exercise_id=spec.id, entry_point=spec.entry_point, cases=spec.cases,
                mistake_functions=[name for m in spec.mistakes for name in (m.id, *m.variants)],
                hidden_seed=self.hidden_seed(spec.id),
                reference_path=str(self.course.reference_path(spec)),
                mistakes_path=_str_or_none(self.course.mistakes_path(spec)),
                fixtures_path=_str_or_none(self.course.fixtures),
            ))
            # Trusted and possibly large: no node bounds; values stay encoded until used (below).
            reply = job.receive(Union[ReferenceCases[Raw], ReferenceFault], time.monotonic() + REFERENCE_SECONDS)
        except (ChannelClosed, ChannelTimeout, ChannelOverflow, WireError) as exc:
            info = job.finish(kill=True)
            raise GraderFault(f"computing the reference for '{spec.id}' failed ({type(exc).__name__}: {exc}); "
                              f"output: {info.output[-1500:] or '(none)'}") from None
        job.finish()
        if isinstance(reply, ReferenceFault):
            raise GraderFault(f"exercise '{spec.id}': {reply.fault}")
        return [_reference_case(case) for case in reply.cases]

    def _run_student(self, spec: Spec, source: str, display_name: str, cases: list[ReferenceCase]) -> StudentRun:
        limits = spec.limits
        job = self.sandbox.spawn("student", JobLimits(
            memory_mb=limits.memory_mb, cpu_seconds=int(limits.total_seconds) + 2,
            file_mb=OUTPUT_LIMIT_MB, open_files=64, processes=0,
        ))
        run = StudentRun()
        try:
            fixtures = self.course.fixtures
            # Sent as text under names that hold no path: the worker cannot see the course at all.
            job.send(StudentJob(
                source=source, filename=Path(display_name).name, entry_point=spec.entry_point,
                rules=[RuleTraps(id=r.id, forbid=list(r.forbid), ops=list(r.ops), autograd=r.autograd)
                       for r in spec.rules],
                fixtures_source=fixtures.read_text(encoding="utf-8") if fixtures else None,
                fixtures_filename="exercises/fixtures.py",
                cases=[c.args for c in cases], modifies=list(spec.modifies),
            ))
            job.channel.max_total_bytes = sum(c.result_bounds.max_bytes for c in cases) + RUN_SLACK_BYTES
            _collect(job, run, cases, limits.case_seconds, limits.total_seconds, display_name, spec.entry_point)
        finally:
            # A worker that stopped by itself: let its keeper report how (it exits at once), then reap.
            run.exit = job.finish(kill=not run.crashed)
        if run.crashed and run.isolation is None:
            # No student code runs before the worker reports its isolation: dlcheck's own setup failed.
            raise GraderFault(f"the sandboxed worker stopped before running the submission; its output: "
                              f"{run.exit.output[-1500:] or '(none)'}")
        if run.crashed:
            run.problem.message += _exit_explanation(run.exit)
        return run

    def _judge(self, spec: Spec, result: GradeResult, cases: list[ReferenceCase], run: StudentRun) -> GradeResult:
        result.output = run.exit.output if run.exit else ""
        result.sandbox_layers = run.isolation or []
        result.trusted = not missing_layers(result.sandbox_layers) and not self.sandbox_problems()
        if self.require_trusted and not result.trusted:
            return internal_failure(spec, GraderFault(
                f"the sandbox could not apply its layers to this job ({', '.join(missing_layers(result.sandbox_layers))}"
                f" missing), so its verdict cannot count"))
        if run.violations:
            v = run.violations[0]
            rule = next((r for r in spec.rules if r.id == v["rule"]), None)
            message = f"Rule '{v['rule']}' broken: your code called {v['api']}. " + (rule.message if rule else "")
            return _finish(result, [TestResult(f"rule {v['rule']}", FAIL, message)], message, status=FAIL)
        if run.problem and run.problem_case is None:
            return _finish(result, [run.problem], run.problem.message)
        tests: list[TestResult] = []
        failures: list[Failure] = []
        for index, case in enumerate(cases):
            test, failure = (_judge_hidden_case if case.hidden else _judge_case)(spec, index, case, run)
            test.seconds = run.seconds.get(index)
            tests.append(test)
            failures += [failure] if failure else []
        # The first public failure teaches most (it shows values); a hidden one only when all public pass.
        result.failure = next((f for f in failures if not f.hidden), failures[0] if failures else None)
        if result.failure is not None and not result.failure.hidden:
            result.failure.function = spec.entry_point  # the failing call can then be shown as code
        result.hidden_cases = self.hidden_seed_source
        status = overall_status(tests)
        passed = sum(t.status == PASS for t in tests)
        result.score = float(spec.points) if status == PASS else round(spec.points * passed / len(tests), 2)
        if status != PASS:
            result.diagnosis = _diagnose(spec, cases, run)
        first = next((t for t in tests if t.status != PASS), None)
        message = (f"All {len(tests)} cases pass." if status == PASS
                   else f"{passed} of {len(tests)} cases pass; first problem in case '{first.name}': {first.message}")
        return _finish(result, tests, message, status=status)


# ------------------------------------------------------------ reference data

def _reference_case(case: Any) -> ReferenceCase:
    """A case as the reference computed it (a messages.ReferenceCase[Raw]): values decoded for
    comparison and display, the arguments kept encoded for the worker, and the expected output's
    encoded size and value count, from which the bounds on the student's result are derived."""
    return ReferenceCase(
        case.name, case.args, {name: unpack_value(v) for name, v in case.args.items()},
        unpack_value(case.expected), {mid: unpack_value(v) for mid, v in case.mistakes.items()},
        hidden=case.hidden, expected_bytes=len(case.expected), expected_nodes=wire.count_nodes(case.expected),
    )


# ------------------------------------------------------------ student run protocol

def _collect(job: Job, run: StudentRun, cases: list[ReferenceCase], case_seconds: float,
             total_seconds: float, display_name: str, entry_point: str) -> None:
    """Read the worker's events into `run` until every case has its outcome, enforcing the per-case
    and total limits on CPU time (time_limits.py) and the bounds on what each message may cost."""
    clock = RunClock(job.usage, case_seconds, total_seconds)
    current = None  # None while importing, else the index of the case awaited

    def problem(message: str, because: str) -> None:
        run.problem = TestResult(cases[current].name if current is not None else "import", ERROR, message)
        run.problem_case = current
        run.stopped_because = because

    while current is None or current < len(cases):
        where = "while importing your module" if current is None else f"on case '{cases[current].name}'"
        bounds = EVENT_BOUNDS if current is None else cases[current].result_bounds
        try:
            message = job.receive(WorkerEvent, clock.wall_deadline(), bounds, clock.watch)
        except ChannelTimeout:
            return problem(clock.time_up(where), "ran out of time")
        except ChannelClosed:
            run.crashed = True
            return problem(f"The worker running your code stopped {where}.", "crashed (the process running it ended)")
        except (ChannelOverflow, WireError) as exc:
            return problem(_unreadable_message(exc, where, None if current is None else cases[current]),
                           "sent back more than dlcheck reads")
        if run.isolation is None:
            # The first message is sent before submission code runs; later claims are ignored.
            run.isolation = list(message.layers) if isinstance(message, Isolation) else []
            if isinstance(message, Isolation):
                clock.next_stage()  # the submission's import starts now
                continue
        if isinstance(message, RuleBroken):
            if not run.violations:  # the first one is reported; a trap called in a loop sends many
                run.violations.append({"rule": message.rule, "api": message.api})
        elif current is None:
            if not isinstance(message, Ready):
                return problem(_import_problem(message, display_name, entry_point), "failed to import")
            current = 0
            clock.next_stage()
        elif isinstance(message, (CaseResult, CaseRaised)) and message.case == current:
            _record_case(run, current, message)
            if current in run.errors and _is_resource_error(run.errors[current]):
                # Like a timeout: the next cases would only hit the same limit, each costing time.
                return problem("Stopped after this case: " + format_exception(run.errors[current], display_name),
                               "hit a sandbox limit")
            if job.output_size() >= OUTPUT_LIMIT_MB << 20:  # seen here, whatever the submission did with EFBIG
                run.errors.pop(current, None)
                run.values.pop(current, None)
                return problem(f"Stopped after this case: your code wrote more than {OUTPUT_LIMIT_MB} MB of "
                               f"output (the sandbox's limit); print less.", "hit a sandbox limit")
            run.seconds[current] = clock.next_stage()
            current += 1
        else:
            return problem("The worker sent an unexpected message; does your code write to file descriptors "
                           "it did not open?", "sent an unexpected message")
    return None


def _unreadable_message(exc: Exception, where: str, case: ReferenceCase | None) -> str:
    """Why dlcheck stopped reading the worker: a bound was crossed or the data is malformed. For a
    hidden case neither the limit (derived from the expected output's size) nor the expected output
    is named."""
    public = case is not None and not case.hidden
    expected = f" The expected output is of type {describe_type(case.expected)}." if public else ""
    if isinstance(exc, ChannelOverflow) and exc.whole_run:
        return f"Your code sent back more than dlcheck reads in one run ({_size(exc.limit)}) {where}.{expected}"
    if isinstance(exc, ChannelOverflow) and case is None:
        return f"Your code sent back {_size(exc.size)} {where}; dlcheck reads at most {_size(exc.limit)} there."
    if isinstance(exc, ChannelOverflow):
        allowed = f"; dlcheck reads at most {_size(exc.limit)} here" if public else ""
        return f"Your code sent back {_size(exc.size)} {where}, far more than the expected output{allowed}.{expected}"
    return f"dlcheck could not read what your code sent back {where}: {exc}.{expected}"


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    return f"{count / 1000:.0f} kB" if count >= 1000 else f"{count} bytes"


def _record_case(run: StudentRun, index: int, message: CaseResult | CaseRaised) -> None:
    if isinstance(message, CaseRaised):
        run.errors[index] = _exception_record(message.error)
        return
    run.values[index] = grader_value(message.value)
    if message.changed_inputs:
        run.changed_inputs[index] = list(message.changed_inputs)
    if message.unchecked is not None:
        run.unchecked_inputs[index] = message.unchecked


def _exception_record(error: ErrorInfo) -> dict:
    """The exception as the plain dict that reports and diagnosis read (its schema bounds every field)."""
    return msgspec.to_builtins(error)


def _import_problem(message: Any, display_name: str, entry_point: str) -> str:
    if isinstance(message, SyntaxProblem):
        return _syntax_message(display_name, message.line, message.offset, message.text, message.message)
    if isinstance(message, ImportFailed):
        error = _exception_record(message.error)
        return f"Importing {display_name} raised {format_exception(error, display_name)}"
    if isinstance(message, MissingFunction):
        found = f" It defines: {', '.join(message.available)}." if message.available else " It defines no functions."
        return f"{display_name} has no function named '{entry_point}'.{found}"
    return "The worker did not start properly."


def _exit_explanation(info: ExitInfo | None) -> str:
    if info is None:
        return ""
    if info.signal is not None:
        reasons = {"SIGSEGV": "a segmentation fault", "SIGXCPU": "the CPU-time limit",
                   "SIGKILL": "being killed (often the memory limit)", "SIGABRT": "an abort",
                   "SIGXFSZ": "the output-size limit"}
        return f" It was ended by {info.signal_name} ({reasons.get(info.signal_name, 'a signal')})."
    if info.exit_code == INTERNAL_FAILURE_STATUS:
        return (" The worker's own code failed after running yours; this happens when a submission "
                "patches Python or library internals (builtins, json, torch).")
    if info.exit_code is not None:
        return (f" It exited with status {info.exit_code}: don't call os._exit() or exit the process "
                f"from your function; return the result instead.")
    return ""


# Errors that a sandbox limit, not a bug in the maths, produced: what to tell the student.
LIMIT_EXPLANATIONS = [
    ("File too large", f"your code wrote more than {OUTPUT_LIMIT_MB} MB of output; print less"),
    ("can't allocate memory", "your code asked for more memory than the sandbox allows"),
    ("MemoryError", "your code asked for more memory than the sandbox allows"),
    ("not enough memory", "your code asked for more memory than the sandbox allows"),
    ("No space left on device", "your code wrote more files than the sandbox's scratch space holds"),
    ("can't start new thread", "threads and processes are not available while grading"),
]


RESOURCE_SYMPTOMS = ("File too large", "can't allocate memory", "MemoryError", "not enough memory",
                     "No space left on device")


def _is_resource_error(error: dict) -> bool:
    text = f"{error['type']}: {error['message']}"
    return any(symptom in text for symptom in RESOURCE_SYMPTOMS)


def _limit_explanation(error: dict, run: StudentRun, index: int) -> str:
    """What a sandbox limit behind this exception means for the student ("" for an ordinary bug),
    and that the run stopped there when it did."""
    text = f"{error['type']}: {error['message']}"
    explanation = next((words for symptom, words in LIMIT_EXPLANATIONS if symptom in text), "")
    if not explanation:
        return ""
    stopped = run.problem_case == index and run.problem is not None
    return (explanation[0].upper() + explanation[1:] + "."
            + (" dlcheck stopped after this case: the next ones would hit the same limit." if stopped else ""))


def format_exception(error: dict, display_name: str) -> str:
    text = f"{error['type']}: {error['message']}"
    if error.get("frames"):
        last = error["frames"][-1]
        text += f" (at {display_name}, line {last['line']}, in {last['function']}: {last['code'].strip()})"
    for symptom, explanation in LIMIT_EXPLANATIONS:
        if symptom in f"{error['type']}: {error['message']}":
            return f"{text}: {explanation}"
    return text


# ------------------------------------------------------------ judging

def _judge_case(spec: Spec, index: int, case: ReferenceCase, run: StudentRun,
                hidden: bool = False) -> tuple[TestResult, Failure | None]:
    if index in run.values:
        return _judge_output(spec, index, case, run, hidden)
    if index in run.errors:
        error = run.errors[index]
        message = "raised " + format_exception(error, "your file")
        failure = Failure(case.name, case.inputs, case.expected, error=error, stopped=_limit_explanation(error, run, index))
        return TestResult(case.name, ERROR, message), failure
    if run.problem_case == index and run.problem:
        failure = Failure(case.name, case.inputs, case.expected, stopped=run.problem.message)
        return TestResult(case.name, ERROR, run.problem.message), failure
    return TestResult(case.name, SKIPPED, "not run"), None


def _judge_output(spec: Spec, index: int, case: ReferenceCase, run: StudentRun,
                  hidden: bool) -> tuple[TestResult, Failure | None]:
    """A returned value against the expected one, and what the call did to its arguments: a case passes
    only when the output matches and the worker reported every argument unchanged (its report can
    fail a case, never pass one)."""
    got = run.values[index]
    mismatches = compare_safely(case.expected, got, to_data(spec.compare))
    changed = changed_message(run.changed_inputs.get(index, []))
    unchecked = run.unchecked_inputs.get(index)
    arguments = unchecked_message(unchecked) if unchecked is not None else changed
    failure = Failure(case.name, case.inputs, case.expected, got, mismatches, arguments=arguments)
    if unchecked is not None:
        return TestResult(case.name, ERROR, arguments), failure
    if not mismatches:
        if not changed:
            return TestResult(case.name, PASS), None
        return TestResult(case.name, FAIL, f"the output is right, but {changed}"), failure
    status = ERROR if any(m.kind == "error" for m in mismatches) else FAIL
    summary = _hidden_summary(mismatches) if hidden else _mismatch_summary(mismatches)
    return TestResult(case.name, status, summary + (f"; also, {changed}" if changed else "")), failure


def _judge_hidden_case(spec: Spec, index: int, case: ReferenceCase, run: StudentRun) -> tuple[TestResult, Failure | None]:
    """Like _judge_case, but what reaches the student holds no expected value, nor the inputs."""
    test, failure = _judge_case(spec, index, case, run, hidden=True)
    test.hidden = True
    if failure is None:
        return test, None
    return test, Failure(case.name, hidden=True, summary=test.message)


def _hidden_summary(mismatches: list) -> str:
    """What went wrong on a hidden case, in words that reveal nothing of the expected output."""
    m = mismatches[0]
    where = f"{m.path}: " if m.path else ""
    if m.kind == "value" and m.total > 1:
        return f"{where}wrong values ({m.mismatched} of {m.total} elements differ)"
    returned = m.message.rsplit(", got ", 1)[-1]  # "expected <what>, got <type>[: advice]": keep the got
    words = {"value": "wrong value", "shape": "wrong shape", "dtype": "wrong dtype", "error": m.message,
             "structure": m.message, "type": f"wrong type (got {returned})"}
    return where + words.get(m.kind, "wrong output")


MAX_NAMED_PARTS = 8


def _mismatch_summary(mismatches: list) -> str:
    """The first mismatch, after the list of every wrong part ("wrong: [0], [1]; [0]: …",
    "wrong: m, v; m: …") when there are several."""
    m = mismatches[0]
    first = f"{m.path}: {m.message}" if m.path else m.message
    parts = list(dict.fromkeys(x.path for x in mismatches if x.path))
    if len(mismatches) < 2 or not parts:
        return first
    named = ", ".join(parts[:MAX_NAMED_PARTS]) + (", …" if len(parts) > MAX_NAMED_PARTS else "")
    return f"wrong: {named}; {first}"


def _diagnose(spec: Spec, cases: list[ReferenceCase], run: StudentRun) -> dict[str, Any] | None:
    """The known mistake the submission behaves like, if any (diagnosis.py says when one is named).
    After a timeout or crash, judged on the cases before it (the rest count against the majority)."""
    stop = None
    if run.problem is not None:
        if run.problem_case is None:
            return None  # no case ran
        stop = Stop(run.problem_case, cases[run.problem_case].name, run.stopped_because)
    return diagnose(spec.mistakes, cases, run.values, run.errors, to_data(spec.compare), stop)


def _rule_result(result: GradeResult, display_name: str, violations: list[rules.Violation]) -> GradeResult:
    v = violations[0]
    line = f" (line {v.line})" if v.line else ""
    message = f"Rule '{v.rule}' broken: {display_name}{line} {v.how} {v.api}. {v.message}"
    return _finish(result, [TestResult(f"rule {v.rule}", FAIL, message)], message, status=FAIL)


def _finish(result: GradeResult, tests: list[TestResult], message: str, status: str | None = None) -> GradeResult:
    result.tests = tests
    result.message = message
    result.status = status or overall_status(tests)
    if result.status == PASS:
        result.score = result.max_score
    return result


def _syntax_message(display_name: str, line, offset, text, msg) -> str:
    where = f"{display_name}, line {line}" + (f", column {offset}" if offset else "")
    snippet = f"\n    {text.rstrip()}\n    {' ' * max((offset or 1) - 1, 0)}^" if text else ""
    return f"Syntax error in {where}: {msg}{snippet}"


def graded_or_internal(spec: Spec, grade_it) -> GradeResult:
    """The result of grade_it(), or, when dlcheck itself fails, an `error` result that says so."""
    try:
        return grade_it()
    except DlcheckError:
        raise  # usage errors (a missing file …) stop the command with their own message
    except Exception as exc:  # noqa: BLE001 - a reference or dlcheck bug: this exercise only, never a traceback
        return internal_failure(spec, exc)


def internal_failure(spec: Spec, exc: Exception) -> GradeResult:
    """dlcheck itself failed on this exercise (a broken reference, the sandbox): never the student's fault."""
    detail = str(exc) if isinstance(exc, GraderFault) else f"{type(exc).__name__}: {exc}"
    message = f"dlcheck could not grade this exercise (not your fault): {detail}"
    result = GradeResult(spec.id, spec.kind, ERROR, message, float(spec.points), internal_error=True, trusted=False)
    return _finish(result, [TestResult("grading", ERROR, message)], message)


def rejected_result(spec: Spec, name: str, reason: str) -> GradeResult:
    """The result for a file dlcheck refused to read (a link, not a regular file, too large …)."""
    result = GradeResult(spec.id, spec.kind, ERROR, "", float(spec.points), submission=name)
    return _finish(result, [TestResult("load", ERROR, reason)], reason)


def _str_or_none(path: Path | None) -> str | None:
    return str(path) if path is not None else None


# ------------------------------------------------------------ symbolic exercises

def _symbolic_layers() -> list[str]:
    from .sandbox.host import current

    return ["subprocess", "rlimits"] if current().rlimits else ["subprocess"]  # no rlimits on Windows


def grade_symbolic(course: Course, spec: Spec, answer: str, display_name: str, checker: SymbolicChecker,
                   seed: int | None = None) -> GradeResult:
    """Checks the answer in a bounded child of `checker`'s server; this process never parses it with sympy.

    `seed` chooses the numeric sample points: the grader's hidden seed, so that no answer can be
    fitted to points known in advance (without one, the worker's fixed seed)."""
    from .symbolic.protocol import MistakeExpr, SymbolicRequest, SymbolSpec

    # No student code runs: the answer is text, read by dlcheck's own parser in a bounded process.
    result = GradeResult(spec.id, "symbolic", ERROR, "", float(spec.points), submission=display_name,
                         sandbox_layers=_symbolic_layers(), trusted=True)
    if not answer.strip():
        message = (f"{display_name} holds no answer yet: write your expression on a line that does not "
                   f"start with a comment marker.")
        return _finish(result, [TestResult("answer", ERROR, message)], message)
    request = SymbolicRequest(
        answer=answer, reference=course.reference_path(spec).read_text(encoding="utf-8").strip(),
        symbols={name: SymbolSpec(s.domain, list(s.latex), list(s.sample) if s.sample else None)
                 for name, s in spec.symbols.items()},
        functions=dict(spec.functions), derived=dict(spec.derived),
        constraints=list(spec.constraints),
        mistakes=[MistakeExpr(m.id, m.expr, list(m.variants)) for m in spec.mistakes],
        budget_seconds=spec.time_budget_seconds, seed=seed,
    )
    reply = checker.check(request, timeout=spec.time_budget_seconds + 5)  # every field, checked
    status = reply["status"]
    result.read_as = reply["read_as"]
    result.method = reply["method"]
    mistake = next((m for m in spec.mistakes if m.id == reply["diagnosis"]), None)
    if mistake is not None and status == FAIL:
        result.diagnosis = symbolic_diagnosis(mistake)
    message = reply["message"]
    return _finish(result, [TestResult("equivalence", status, message)], message, status=status)
