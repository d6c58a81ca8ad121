"""The published JSON result (dlcheck.result/1): `dlcheck schema`, real `grade --format json`
outputs validated against it with the jsonschema package, per-case points, and `--output FILE`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import msgspec
import pytest

from dlcheck.atomic_write import write_atomically
from dlcheck.result_schema import SCHEMA_VERSION, document_type
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

SUBMISSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "submissions"


@pytest.fixture
def env(tmp_path):
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
            "COLUMNS": "120", "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture(scope="module")
def validator(tmp_path_factory):
    done = run_cli("schema", cwd=tmp_path_factory.mktemp("schema"))
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def put(tmp_path, exercise_id: str, submission: str) -> None:
    (tmp_path / "ws").mkdir(exist_ok=True)
    shutil.copy(SUBMISSIONS / f"{submission}.py", tmp_path / "ws" / f"{exercise_id}.py")


def graded(tmp_path, env, *args, exit_code: int) -> dict:
    done = run_cli("grade", *args, "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == exit_code, done.stdout + done.stderr
    return json.loads(done.stdout)


def check(validator, document: dict) -> None:
    """Valid against the published JSON Schema, and decodable into the Structs it was made from."""
    validator.validate(document)
    msgspec.json.decode(json.dumps(document), type=document_type(document))
    assert document["schema"] == SCHEMA_VERSION


def check_points(result: dict) -> None:
    passed = [t for t in result["tests"] if t["status"] == "pass"]
    assert round(sum(t["points"] for t in result["tests"]), 2) == result["score"]
    assert round(sum(t["max_points"] for t in result["tests"]), 2) == result["max_score"]
    assert all(t["points"] == t["max_points"] for t in passed)
    assert all(t["points"] == 0 for t in result["tests"] if t["status"] != "pass")
    share = result["max_score"] / len(result["tests"])
    assert all(abs(t["max_points"] - share) <= 0.01 + 1e-9 for t in result["tests"])


def test_a_pass_a_diagnosed_fail_and_an_error_match_the_schema(tmp_path, env, validator):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    passed = graded(tmp_path, env, "scaled_sum", exit_code=0)
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    failed = graded(tmp_path, env, "scaled_sum", exit_code=1)
    put(tmp_path, "scaled_sum", "scaled_sum_raises")
    raised = graded(tmp_path, env, "scaled_sum", exit_code=1)
    put(tmp_path, "scaled_sum", "scaled_sum_syntax_error")
    syntax = graded(tmp_path, env, "scaled_sum", exit_code=1)
    assert failed["status"] == "fail" and failed["diagnosis"]["id"] == "mean_instead_of_sum"
    assert isinstance(failed["diagnosis"]["cases"]["matched"], int)
    assert raised["status"] == "error" and raised["failure"]["error"]["type"]
    assert syntax["status"] == "error" and [t["name"] for t in syntax["tests"]] == ["syntax"]
    for document in (passed, failed, raised, syntax):
        check(validator, document)
        check_points(document)
    assert passed["score"] == passed["max_score"] == sum(t["points"] for t in passed["tests"])
    assert 0 < failed["score"] < failed["max_score"]


def test_a_nan_result_is_strict_json(tmp_path, env, validator):
    """NaN is no JSON number: a strict parser (JavaScript's, jq's) would reject the whole document."""
    put(tmp_path, "scaled_sum", "scaled_sum_nan")
    done = run_cli("grade", "scaled_sum", "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant} in the document")

    document = json.loads(done.stdout, parse_constant=refuse)
    check(validator, document)
    assert document["failure"]["mismatches"][0]["worst"]["got"] == "NaN"


def test_a_hidden_failure_matches_the_schema(tmp_path, env, validator):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "halve.py").write_text("def halve(n):\n    return n // 2 if n < 10 else 0\n")
    result = graded(tmp_path, env, "halve", exit_code=1)
    assert result["failure"]["hidden"] is True and "inputs" not in result["failure"]
    check(validator, result)
    check_points(result)


def test_a_symbolic_answer_matches_the_schema(tmp_path, validator):
    env = {"DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(tmp_path / "ws"), "XDG_CACHE_HOME": str(tmp_path)}
    right = graded(tmp_path, env, "gan_optimal_discriminator", "--answer", r"\frac{p_d}{p_d + p_m}", exit_code=0)
    answer = r"\frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{1-\alpha_t}{\sqrt{1-\alpha_t}}\epsilon\right)"
    wrong = graded(tmp_path, env, "ddpm_posterior_mean", "--answer", answer, exit_code=1)
    assert wrong["diagnosis"]["id"] == "sqrt_one_minus_alpha" and wrong["diagnosis"]["cases"] is None
    for document in (right, wrong):
        assert document["kind"] == "symbolic" and "read_as" in document and "method" in document
        check(validator, document)
        check_points(document)


def test_grade_all_matches_the_schema(tmp_path, env, validator):
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    put(tmp_path, "halve", "halve_float")
    put(tmp_path, "square_grad", "square_grad_ok")
    summary = graded(tmp_path, env, "--all", exit_code=1)
    check(validator, summary)
    assert "read_as" not in summary["results"][0]  # code results leave the symbolic fields out
    for result in summary["results"]:
        check_points(result)


def test_an_assignment_with_a_missing_and_a_misnamed_file_matches_the_schema(tmp_path, env, validator):
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    shutil.copy(SUBMISSIONS / "halve_float.py", tmp_path / "ws" / "Halve.py")  # misnamed: a warning
    assignment = tmp_path / "hw.yaml"
    assignment.write_text("name: HW 1\nexercises: [scaled_sum, halve]\n")
    summary = graded(tmp_path, env, "--assignment", str(assignment), exit_code=1)
    check(validator, summary)
    assert [r["status"] for r in summary["results"]] == ["fail", "missing"] and summary["totals"]["missing"] == 1
    assert summary["warnings"][0]["did_you_mean"] and summary["assignment"]["name"] == "HW 1"


def test_a_usage_error_matches_the_schema(tmp_path, env, validator):
    check(validator, graded(tmp_path, env, "no_such_exercise", exit_code=2))


def test_points_split_a_score_that_does_not_divide_evenly():
    from dlcheck.results import GradeResult, TestResult, case_points

    tests = [TestResult(str(i), status) for i, status in enumerate(["fail", "pass", "pass"])]
    result = GradeResult("x", "code", "fail", "", max_score=1.0, score=round(1.0 * 2 / 3, 2), tests=tests)
    assert case_points(result) == [(0.0, 0.33), (0.34, 0.34), (0.33, 0.33)]


def test_the_schema_rejects_a_document_without_its_version(tmp_path, env, validator):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    document = graded(tmp_path, env, "scaled_sum", exit_code=0)
    del document["schema"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_output_file_gets_the_whole_document_and_stdout_one_line(tmp_path, env, validator):
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    put(tmp_path, "halve", "halve_numpy_int")
    target = tmp_path / "out" / "results.json"
    target.parent.mkdir()
    done = run_cli("grade", "--all", "--format", "json", "--output", str(target), cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr  # the exit code still says something failed
    assert done.stdout.count("\n") == 1 and str(target) in done.stdout and "1 pass, 1 fail" in done.stdout
    check(validator, json.loads(target.read_text()))
    assert os.listdir(target.parent) == ["results.json"]  # no temporary file left behind
    text = tmp_path / "out" / "report.txt"
    run_cli("grade", "scaled_sum", "--output", str(text), cwd=tmp_path, env=env)
    assert "mean_instead_of_sum" in text.read_text() and "\x1b[" not in text.read_text()


def test_output_file_is_replaced_only_when_grading_succeeds(tmp_path, env):
    target = tmp_path / "results.json"
    target.write_text("previous results\n")
    unknown = run_cli("grade", "scaled_sun", "--format", "json", "--output", str(target), cwd=tmp_path, env=env)
    assert unknown.returncode == 2 and target.read_text() == "previous results\n"
    missing = run_cli("grade", "halve", "--format", "json", "--output", str(target), cwd=tmp_path, env=env)
    assert missing.returncode == 2 and target.read_text() == "previous results\n"
    put(tmp_path, "halve", "halve_numpy_int")
    done = run_cli("grade", "halve", "--format", "json", "--output", str(target), cwd=tmp_path, env=env)
    assert done.returncode == 0 and json.loads(target.read_text())["status"] == "pass"
    nowhere = run_cli("grade", "halve", "--output", str(tmp_path / "no" / "such" / "dir.json"), cwd=tmp_path, env=env)
    assert nowhere.returncode == 2 and "no directory" in nowhere.stderr


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    target.write_text("old\n")

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomically(target, "new\n")
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["results.json"]
