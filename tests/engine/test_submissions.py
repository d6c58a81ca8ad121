"""Real submissions (tests/fixtures/submissions) graded by the real engine on the fixture course.

Each test reads the verdict a student would get: broken, hostile and correct submissions alike.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dlcheck.sandbox.usage import children_of
from dlcheck.submission import Submission
from dlcheck.time_limits import wall_backstop

SUBMISSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "submissions"


@pytest.fixture
def grade(fixture_course, fixture_grader):
    def grade_file(exercise_id: str, name: str):
        path = SUBMISSIONS / f"{name}.py"
        return fixture_grader.grade(fixture_course.get(exercise_id), Submission(path.read_text(), path.name, ".py"))

    return grade_file


def test_correct_submission_passes_with_full_score(grade):
    result = grade("scaled_sum", "scaled_sum_ok")
    assert result.status == "pass"
    assert result.score == result.max_score == 5
    assert [t.status for t in result.tests if not t.hidden] == ["pass"] * 5
    assert [t.status for t in result.tests if t.hidden] == ["pass"] * 4  # at least 4 hidden by default
    assert result.diagnosis is None


def test_wrong_values_fail_with_first_case_details_and_diagnosis(grade):
    result = grade("scaled_sum", "scaled_sum_mean")
    assert result.status == "fail"
    assert result.diagnosis["id"] == "mean_instead_of_sum"
    failure = result.failure
    first_failing = next(t for t in result.tests if t.status == "fail")
    assert failure.case == first_failing.name
    assert set(failure.inputs) == {"x", "alpha"}
    mismatch = failure.mismatches[0]
    assert mismatch.kind == "value" and mismatch.mismatched >= 1
    assert mismatch.worst["index"] is not None and mismatch.worst["abs_diff"] > 0
    assert 0 < result.score < result.max_score


def test_exception_is_an_error_with_traceback_trimmed_to_the_student_file(grade):
    result = grade("scaled_sum", "scaled_sum_raises")
    assert result.status == "error"
    error = result.failure.error
    assert error["type"] == "IndexError"
    assert [f["function"] for f in error["frames"]] == ["scaled_sum", "helper"]
    assert error["frames"][-1]["line"] == 2 and "dim=5" in error["frames"][-1]["code"]
    assert "torch" not in str(error["frames"])  # no frames from torch or dlcheck


def test_syntax_error_points_at_the_line(grade):
    result = grade("scaled_sum", "scaled_sum_syntax_error")
    assert result.status == "error"
    assert "scaled_sum_syntax_error.py, line 1" in result.message
    assert "expected ':'" in result.message


def test_missing_function_names_expected_and_found(grade):
    result = grade("scaled_sum", "scaled_sum_wrong_name")
    assert result.status == "error"
    assert "'scaled_sum'" in result.message and "scaled_summ" in result.message


@pytest.mark.parametrize("name, expected, bound", [
    # A busy loop: 2 s of CPU time (the case limit), which a loaded machine stretches in wall time.
    ("scaled_sum_hangs", "Timed out on case", wall_backstop(2)),
    # A sleeping loop at import uses no CPU: the wall-clock backstop ends it, and says so.
    ("scaled_sum_hangs_at_import", "Stopped while importing your module after", wall_backstop(2) + 3),
])
def test_hangs_are_errors_and_leave_no_process(grade, fixture_grader, name, expected, bound):
    start = time.monotonic()
    result = grade("scaled_sum", name)
    elapsed = time.monotonic() - start
    assert result.status == "error"
    assert expected in result.message
    assert elapsed < bound
    assert children_of(fixture_grader.sandbox._process.pid) == []


@pytest.mark.parametrize("name, expected", [
    ("scaled_sum_segfault", "SIGSEGV"),
    ("scaled_sum_os_exit", "exited with status 0"),
])
def test_crashes_and_exits_are_errors_not_passes(grade, name, expected):
    result = grade("scaled_sum", name)
    assert result.status == "error"
    assert expected in result.message


def test_sys_exit_at_import_is_reported_not_obeyed(grade):
    result = grade("scaled_sum", "scaled_sum_sys_exit")
    assert result.status == "error"
    assert "sys.exit(0)" in result.message and "line 3" in result.message


def test_printing_a_fake_verdict_changes_nothing(grade):
    result = grade("scaled_sum", "scaled_sum_prints_fake_pass")
    assert result.status == "fail"
    assert '"status": "pass"' in result.output  # captured, shown as the student's output only


def test_patching_torch_and_numpy_in_the_worker_changes_nothing(grade):
    result = grade("scaled_sum", "scaled_sum_patches_torch")
    assert result.status == "fail"
    assert result.diagnosis["id"] == "forgot_alpha"


def test_mutating_inputs_cannot_change_expected_values(grade):
    vandal = grade("scaled_sum", "scaled_sum_mutates_then_correct")
    assert vandal.status == "fail"  # its outputs are right: what fails it is the argument it zeroed
    assert all("the output is right, but your function changed its argument `x`" in t.message
               for t in vandal.tests if t.status != "pass")
    assert grade("scaled_sum", "scaled_sum_zeroes_input").status == "fail"
    # the cached expected values survived both submissions
    assert grade("scaled_sum", "scaled_sum_ok").status == "pass"


@pytest.mark.parametrize("name, fragment", [
    ("scaled_sum_subclass", "got submission.AlwaysRight"),
    ("scaled_sum_eq_object", "got submission.Anything"),
    ("scaled_sum_numpy", "numpy.ndarray"),
    ("scaled_sum_float32", "dtype float32, expected float64"),
    ("scaled_sum_wrong_shape", "shape [1, 1], expected [1]"),
    ("scaled_sum_nan", "got nan"),
])
def test_lying_or_wrongly_typed_outputs_fail_with_a_precise_message(grade, name, fragment):
    result = grade("scaled_sum", name)
    assert result.status == "fail"
    assert fragment in result.message


def test_forbidden_api_in_source_is_caught_before_running(grade):
    result = grade("square_grad", "square_grad_autograd_grad")
    assert result.status == "fail"
    assert "no_autograd" in result.message and "(line 6) calls torch.autograd.grad" in result.message


def test_a_backward_call_on_a_tensor_is_caught_at_runtime(grade):
    """`.backward()` on an unknown receiver is not attributed by the scan (it may be the submission's
    own layer object); on a tensor, the autograd guard refuses the graph it needs."""
    result = grade("square_grad", "square_grad_backward")
    assert result.status == "fail" and result.score == 0
    assert result.message.startswith("Rule 'no_autograd' broken: your code called autograd")


def test_forbidden_api_reached_indirectly_is_caught_at_runtime(grade):
    result = grade("square_grad", "square_grad_hidden_autograd")
    assert result.status == "fail"
    assert "no_autograd" in result.message and "torch.autograd.grad" in result.message


def test_rule_abiding_submission_passes(grade):
    assert grade("square_grad", "square_grad_ok").status == "pass"


@pytest.mark.parametrize("name, status, fragment", [
    ("halve_numpy_int", "pass", ""),
    ("halve_float", "fail", "use floor division"),
    ("halve_bool", "fail", "expected an int, got bool"),
])
def test_integer_outputs_accept_integral_types_only(grade, name, status, fragment):
    result = grade("halve", name)
    assert result.status == status
    assert fragment in result.message


@pytest.mark.parametrize("exercise_id, name", [("scaled_sum", "scaled_sum_torch_func"), ("halve", "halve_tempfile")])
def test_libraries_needing_a_temporary_directory_work_in_the_sandbox(grade, exercise_id, name):
    assert grade(exercise_id, name).status == "pass"


def test_callables_are_rebuilt_in_the_worker(grade):
    assert grade("apply_model", "apply_model_ok").status == "pass"


def test_a_memory_error_ends_the_run_like_a_timeout(grade):
    started = time.monotonic()
    result = grade("scaled_sum", "scaled_sum_memory_every_case")
    assert result.status == "error"
    assert [t.status for t in result.tests] == ["error"] + ["skipped"] * (len(result.tests) - 1)
    assert "more memory than the sandbox allows" in result.message
    assert time.monotonic() - started < 8  # the exercise's total_seconds
