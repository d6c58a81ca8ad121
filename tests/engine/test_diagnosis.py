"""Naming a known mistake (docs/grading.md, "Diagnosis"), through the real engine on the fixture course.

A mistake is named when the submission behaves like it on every case where both are defined (the
same output, or the same exception), those cases are a majority, and on at least one of them the
answer is wrong. Cases where one side raised, or where one side's values are NaN or ±inf and the
other's are not, are not compared; the report says how many there were.

scaled_sum has nine cases: 'single element' (x = [[2.0]], alpha = 3.0), four public random ones and
four hidden ones, whose alpha is drawn from [0.5, 2]. The submissions below single out the first by
its alpha, so what they do does not depend on the hidden draws.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURE_COURSE, run_cli

FORGOT_ALPHA = "import torch\n\ndef scaled_sum(x, alpha):\n{body}"


def scaled_sum(body: str) -> str:
    return FORGOT_ALPHA.format(body="".join(f"    {line}\n" for line in body.strip().splitlines()))


def test_a_known_mistake_is_named_though_the_submission_raises_on_some_cases(grade_fixture):
    result = grade_fixture("scaled_sum", scaled_sum("""
if alpha == 3.0:
    raise ValueError("not for this alpha")
return x.sum(dim=-1)
"""))
    assert result.status == "error"  # the first public case raised
    assert result.diagnosis["id"] == "forgot_alpha"
    assert result.diagnosis["cases"] == {"matched": 8, "total": 9, "raised": 1, "not_compared": 0,
                                         "stopped": 0, "not_run": 0}
    assert result.diagnosis["observed"] == ("Your results match what the known mistake 'forgot_alpha' gives, on 8 "
                                            "of 9 cases; on 1 other case your code raised an exception.")


def test_a_known_mistake_is_named_where_the_submission_returns_nan_and_the_mistake_does_not(grade_fixture):
    result = grade_fixture("scaled_sum", scaled_sum("""
if alpha == 3.0:
    return torch.full((1,), float("nan"), dtype=x.dtype)
return x.sum(dim=-1)
"""))
    assert result.diagnosis["id"] == "forgot_alpha"
    assert result.diagnosis["cases"]["not_compared"] == 1
    assert "1 other case was not compared" in result.diagnosis["observed"]


def test_a_match_on_every_case_says_so(grade_fixture):
    result = grade_fixture("scaled_sum", scaled_sum("return x.sum(dim=-1)"))
    total = len(result.tests)
    assert result.diagnosis["id"] == "forgot_alpha"
    assert result.diagnosis["cases"] == {"matched": total, "total": total, "raised": 0, "not_compared": 0,
                                         "stopped": 0, "not_run": 0}
    assert result.diagnosis["observed"] == (f"Your results match what the known mistake 'forgot_alpha' gives, "
                                            f"on all {total} cases.")


# ---------------------------------------------------------------- no new false naming

@pytest.mark.parametrize("elsewhere", [
    'raise ValueError("not for this alpha")',  # raises on the majority
    'return torch.full((x.shape[0],), float("nan"), dtype=x.dtype)',  # nothing finite on the majority
])
def test_a_novel_mistake_that_agrees_with_a_known_one_on_a_minority_of_cases_is_not_named(grade_fixture, elsewhere):
    result = grade_fixture("scaled_sum", scaled_sum(f"""
if alpha == 3.0:
    return x.sum(dim=-1)  # forgot_alpha's wrong answer, on 'single element' only
{elsewhere}
"""))
    assert result.status != "pass" and result.diagnosis is None


def test_a_novel_mistake_that_differs_from_a_known_one_on_a_few_cases_is_not_named(grade_fixture):
    result = grade_fixture("scaled_sum", scaled_sum("""
if alpha == 3.0:
    return x.sum(dim=-1) + 1.0
return x.sum(dim=-1)
"""))
    assert result.status == "fail" and result.diagnosis is None


def test_agreeing_only_where_the_mistake_is_right_names_nothing(grade_fixture):
    """mean_instead_of_sum is right on one-element inputs (the mean of one number is that number); a
    submission that is right there and raises elsewhere shows no sign of it."""
    result = grade_fixture("scaled_sum", scaled_sum("""
if x.shape[-1] == 1:
    return alpha * x.mean(dim=-1)
raise ValueError("one column only")
"""))
    assert result.diagnosis is None


# ---------------------------------------------------------------- variants

def test_a_variant_of_a_mistake_is_named_as_that_mistake(grade_fixture):
    """halve lists round(n / 2) as a variant of true_division: a float division, then rounded."""
    result = grade_fixture("halve", "def halve(n):\n    return round(n / 2)\n")
    assert result.status == "fail"
    assert result.diagnosis["id"] == "true_division"


def test_validate_proves_each_variant_and_names_a_missing_one(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    env = {"DLCHECK_COURSE": str(course), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = run_cli("validate", "halve", "--format", "json", cwd=tmp_path, env=env)
    checks = {c["name"]: c for c in json.loads(done.stdout)["exercises"][0]["checks"]}
    assert done.returncode == 0, done.stdout
    assert checks["mistake 'true_division' variant 'rounded_division' fails and is diagnosed"]["ok"]
    spec = course / "exercises" / "halve.yaml"
    spec.write_text(spec.read_text().replace("variants: [rounded_division]",
                                             "variants: [rounded_division, truncated_division]"))
    done = run_cli("validate", "halve", "--format", "json", cwd=tmp_path, env=env)
    failed = [c for c in json.loads(done.stdout)["exercises"][0]["checks"] if not c["ok"]]
    assert done.returncode == 1
    assert any("truncated_division" in c["name"] and "defines no function 'truncated_division'" in c["detail"]
               for c in failed), failed


# ---------------------------------------------------------------- what the report says

def test_the_report_presents_the_diagnosis_as_an_observation(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "scaled_sum.py").write_text(scaled_sum("""
if alpha == 3.0:
    raise ValueError("not for this alpha")
return x.sum(dim=-1)
"""))
    env = {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(workspace), "COLUMNS": "200",
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = run_cli("grade", "scaled_sum", cwd=tmp_path, env=env)
    assert "Matches a known mistake: forgot_alpha" in done.stdout
    assert "Your results match what the known mistake 'forgot_alpha' gives, on" in done.stdout
    assert "your code raised an exception" in done.stdout
    assert "this is most likely what happened" in done.stdout
    assert "You summed but forgot to scale by alpha." in done.stdout


# ---------------------------------------------------------------- symbolic variants

def with_variant(spec, mistake_id: str, variant: str):
    import msgspec

    mistakes = [msgspec.structs.replace(m, variants=[variant]) if m.id == mistake_id else m for m in spec.mistakes]
    return msgspec.structs.replace(spec, mistakes=mistakes)


# A made-up second form of gaussian_entropy's forgot_e (not equivalent to it): it proves the mechanism.
FORGOT_E_VARIANT = "1/2*log(2*pi*sigma^2) + 1/4"


def test_a_symbolic_variant_is_named_as_its_mistake(course, grader):
    from dlcheck.submission import Submission

    spec = with_variant(course.get("gaussian_entropy"), "forgot_e", FORGOT_E_VARIANT)
    result = grader.grade(spec, Submission(FORGOT_E_VARIANT, "gaussian_entropy.txt", ".txt"))
    assert result.status == "fail" and result.diagnosis["id"] == "forgot_e"
    assert result.diagnosis["observed"] == "Your answer matches the known mistake 'forgot_e'."
    plain = grader.grade(course.get("gaussian_entropy"), Submission(FORGOT_E_VARIANT, "gaussian_entropy.txt", ".txt"))
    assert plain.status == "fail" and plain.diagnosis is None


def test_validate_proves_a_symbolic_variant(course, grader):
    from dlcheck.validate import validate

    report = validate(course, with_variant(course.get("gaussian_entropy"), "forgot_e", FORGOT_E_VARIANT), grader)
    checks = {c.name: c for c in report.checks}
    assert report.ok, [c for c in report.checks if not c.ok]
    assert checks[f"mistake 'forgot_e' variant '{FORGOT_E_VARIANT}' fails and is diagnosed"].ok
