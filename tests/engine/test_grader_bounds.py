"""The bounds on what a worker sends, seen in the verdicts the real engine gives (in-process grader):
values beyond 64 bits still reach comparison, hidden cases do not reveal a limit derived from their
expected output, and a flood of small messages ends at the run's byte cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcheck.catalog import Course
from dlcheck.grading import EVENT_BOUNDS, Grader
from dlcheck.submission import Submission

HOSTILE_COURSE = Path(__file__).parent / "hostile_course"


@pytest.fixture(scope="module")
def hostile_grader():
    course = Course(HOSTILE_COURSE)
    with Grader(course) as grader:
        yield lambda exercise, source: grader.grade(course.get(exercise), Submission(source, f"{exercise}.py", ".py"))


@pytest.fixture
def fixture_grade(fixture_course, fixture_grader):
    return lambda exercise, source: fixture_grader.grade(fixture_course.get(exercise),
                                                         Submission(source, f"{exercise}.py", ".py"))


def test_an_int_beyond_64_bits_reaches_compare_as_a_value_mismatch(hostile_grader):
    result = hostile_grader("mean_value", "def mean_value(x):\n    return 2 ** 2000\n")
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "value"
    assert "an integer too large for a float (2001 bits)" in result.message


def test_a_hidden_case_over_its_cap_does_not_name_the_cap(fixture_grade):
    # Cases arrive public first (5 in scaled_sum), then hidden: the 6th call is the first hidden case.
    source = ("calls = []\n\ndef scaled_sum(x, alpha):\n    calls.append(1)\n"
              "    return alpha * x.sum(dim=-1) if len(calls) <= 5 else 'x' * 1_000_000\n")
    result = fixture_grade("scaled_sum", source)
    hidden = [t for t in result.tests if t.hidden]
    assert [t.status for t in result.tests if not t.hidden] == ["pass"] * 5
    assert hidden[0].status == "error" and "far more than the expected output" in hidden[0].message
    assert "reads at most" not in hidden[0].message and "expected output is" not in hidden[0].message
    assert all(t.status == "skipped" for t in hidden[1:])  # the stream cannot be resynchronised


def test_an_oversized_message_while_importing_is_an_error(fixture_grade):
    source = ("import os, stat, struct\nfor fd in map(int, os.listdir('/proc/self/fd')):\n"
              "    if stat.S_ISSOCK(os.fstat(fd).st_mode):\n        os.write(fd, struct.pack('>I', 10_000_000))\n"
              "import time\ntime.sleep(60)\n")
    result = fixture_grade("scaled_sum", source)
    assert result.status == "error" and result.tests[0].name == "import"
    assert (f"sent back 10.0 MB while importing your module; dlcheck reads at most "
            f"{EVENT_BOUNDS.max_bytes / 1000:.0f} kB there") in result.message


TRAP_LOOP = ("import torch\n\ndef square_grad(x):\n    grad = getattr(torch.autograd, 'gr' + 'ad')\n"
             "    for _ in range(100_000):\n        try:\n            grad(x, x)\n        except BaseException:\n"
             "            pass\n    return 2 * x\n")
# Forged rule events, each 32 bytes, written straight to the worker's socket: 3 MB in all.
RULE_FLOOD = ("import os, stat, struct\n\ndef square_grad(x):\n"
              "    body = b'\\x83\\xa5event\\xa4rule\\xa4rule\\xa1r\\xa3api\\xa1a'\n"
              "    frames = (struct.pack('>I', len(body)) + body) * 100_000\n"
              "    for fd in map(int, os.listdir('/proc/self/fd')):\n"
              "        if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
              "            view = memoryview(frames)\n"
              "            while view:\n"
              "                view = view[os.write(fd, view):]\n"
              "    return 2 * x\n")


def test_a_trap_called_in_a_loop_is_reported_once_and_fails_on_the_rule(fixture_course, fixture_grader):
    spec = fixture_course.get("square_grad")
    run = fixture_grader._run_student(spec, TRAP_LOOP, "square_grad.py", fixture_grader.reference_cases(spec))
    assert run.violations == [{"rule": "no_autograd", "api": "torch.autograd.grad"}] and run.problem is None
    result = fixture_grader.grade(spec, Submission(TRAP_LOOP, "square_grad.py", ".py"))
    assert result.status == "fail" and "Rule 'no_autograd' broken" in result.message


def test_a_flood_of_small_messages_ends_at_the_run_cap(fixture_course, fixture_grader):
    spec = fixture_course.get("square_grad")
    run = fixture_grader._run_student(spec, RULE_FLOOD, "square_grad.py", fixture_grader.reference_cases(spec))
    assert "more than dlcheck reads in one run" in run.problem.message
    assert len(run.violations) == 1  # only the first is kept: the flood costs time, not memory
