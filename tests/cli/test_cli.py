"""The command line as users and CI see it: output, JSON contract, exit codes, files left alone."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, REPO, SUBMISSIONS, put, run_cli



@pytest.fixture
def env(tmp_path):
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
            "COLUMNS": "120", "XDG_CACHE_HOME": str(tmp_path / "cache")}


def dlcheck(tmp_path, env, *args):
    return run_cli(*args, cwd=tmp_path, env=env)


def test_list_shows_every_exercise_with_status(tmp_path, env):
    done = dlcheck(tmp_path, env, "list")
    assert done.returncode == 0
    for exercise_id in ("scaled_sum", "square_grad", "halve", "apply_model"):
        assert exercise_id in done.stdout
    assert "not started" in done.stdout


def test_list_json_and_filters(tmp_path, env):
    done = dlcheck(tmp_path, env, "list", "--format", "json", "--chapter", "ml-basics", "--kind", "code")
    rows = json.loads(done.stdout)["exercises"]
    assert {r["id"] for r in rows} == {"scaled_sum", "square_grad"}
    assert all(set(r) >= {"id", "title", "chapter", "kind", "status"} for r in rows)
    bad = dlcheck(tmp_path, env, "list", "--chapter", "nope")
    assert bad.returncode == 2 and "Unknown chapter" in bad.stderr


def test_list_imports_neither_torch_nor_sympy_nor_matplotlib(tmp_path, env):
    probe = ("import sys, runpy\nsys.argv = ['dlcheck', 'list']\n"
             "try:\n    runpy.run_module('dlcheck', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('torch', 'sympy', 'numpy', 'pydantic', 'matplotlib') if m in sys.modules), file=sys.stderr)")
    import subprocess

    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={**__import__("os").environ, **env},
                          capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_start_writes_the_starter_once_and_says_where(tmp_path, env):
    first = dlcheck(tmp_path, env, "start", "scaled_sum")
    target = tmp_path / "ws" / "scaled_sum.py"
    assert first.returncode == 0 and str(target.relative_to(tmp_path)) in first.stdout.replace("\n", "")
    assert "raise NotImplementedError" in target.read_text()
    target.write_text("# my work\n")
    second = dlcheck(tmp_path, env, "start", "scaled_sum")
    assert second.returncode == 0 and "already exists" in second.stdout
    assert target.read_text() == "# my work\n"
    forced = dlcheck(tmp_path, env, "start", "scaled_sum", "--force")
    assert forced.returncode == 0 and "NotImplementedError" in target.read_text()


def test_grade_json_contract_for_a_failure(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    done = dlcheck(tmp_path, env, "grade", "scaled_sum", "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)  # the whole of stdout is one JSON document
    assert set(report) >= {"exercise", "status", "score", "max_score", "message", "tests", "diagnosis"}
    assert report["exercise"] == "scaled_sum" and report["status"] == "fail"
    assert report["max_score"] == 5 and 0 < report["score"] < 5
    assert [t["name"] for t in report["tests"]][0] == "single element"
    assert all(set(t) == {"name", "status", "message", "hidden", "points", "max_points", "seconds"} for t in report["tests"])
    assert report["sandbox"]["trusted"] is True and report["hidden_cases"] == "per-run"
    assert report["diagnosis"]["id"] == "mean_instead_of_sum" and report["diagnosis"]["message"]
    assert report["failure"]["expected"] and report["failure"]["got"]


def test_grade_pass_exits_zero(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    done = dlcheck(tmp_path, env, "grade", "scaled_sum", "--format", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["status"] == "pass"


def test_error_verdicts_exit_one_and_never_pass(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_prints_fake_pass")
    done = dlcheck(tmp_path, env, "grade", "scaled_sum", "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["status"] == "fail"
    dlcheck(tmp_path, env, "start", "halve")
    starter = dlcheck(tmp_path, env, "grade", "halve", "--format", "json")
    assert starter.returncode == 1 and json.loads(starter.stdout)["status"] == "error"


def test_text_report_shows_case_expected_got_and_misconception(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    done = dlcheck(tmp_path, env, "grade", "scaled_sum")
    assert done.returncode == 1
    for fragment in ("FAIL", "first failing case", "expected:", "got:", "Matches a known mistake: mean_instead_of_sum",
                     "averaged over the last dimension"):
        assert fragment in done.stdout


def test_grading_never_modifies_the_students_file(tmp_path, env):
    target = put(tmp_path, "scaled_sum", "scaled_sum_zeroes_input")
    before = (hashlib.sha256(target.read_bytes()).hexdigest(), target.stat().st_mtime_ns)
    dlcheck(tmp_path, env, "grade", "scaled_sum")
    assert (hashlib.sha256(target.read_bytes()).hexdigest(), target.stat().st_mtime_ns) == before


def test_unknown_exercise_is_a_usage_error_with_did_you_mean(tmp_path, env):
    done = dlcheck(tmp_path, env, "grade", "scaled_sun", "--format", "json")
    assert done.returncode == 2
    assert json.loads(done.stdout) == {"schema": "dlcheck.result/1", "error": {"kind": "usage", "message": "No exercise 'scaled_sun'. "
                                                                          "Did you mean: scaled_sum?"}}
    assert "Did you mean: scaled_sum?" in done.stderr


def test_missing_submission_says_where_it_looked(tmp_path, env):
    done = dlcheck(tmp_path, env, "grade", "halve")
    assert done.returncode == 2
    assert str(tmp_path / "ws" / "halve.py") in done.stderr and "dlcheck start halve" in done.stderr


def test_file_option_and_its_errors(tmp_path, env):
    ok = dlcheck(tmp_path, env, "grade", "halve", "--file", str(SUBMISSIONS / "halve_numpy_int.py"))
    assert ok.returncode == 0 and "PASS" in ok.stdout
    missing = dlcheck(tmp_path, env, "grade", "halve", "--file", "nowhere.py")
    assert missing.returncode == 2 and "No file at nowhere.py" in missing.stderr
    answer = dlcheck(tmp_path, env, "grade", "halve", "--answer", "n/2")
    assert answer.returncode == 2 and "code exercise" in answer.stderr


def test_bad_options_are_usage_errors(tmp_path, env):
    assert dlcheck(tmp_path, env, "grade", "halve", "--format", "yaml").returncode == 2
    assert dlcheck(tmp_path, env, "grade").returncode == 2
    assert dlcheck(tmp_path, env, "frobnicate").returncode == 2


def test_grade_all_reports_each_exercise_and_totals(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    put(tmp_path, "halve", "halve_float")
    done = dlcheck(tmp_path, env, "grade", "--all", "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert [r["exercise"] for r in report["results"]] == ["scaled_sum", "halve"]  # syllabus order
    assert [r["status"] for r in report["results"]] == ["pass", "fail"]
    assert report["totals"] == {"exercises": 2, "passed": 1, "failed": 1, "errored": 0, "missing": 0,
                                "score": 5.0, "max_score": 7.0}
    assert report["warnings"] == []
    put(tmp_path, "halve", "halve_numpy_int")
    assert dlcheck(tmp_path, env, "grade", "--all").returncode == 0


def test_grade_all_with_an_empty_workspace_is_a_usage_error(tmp_path, env):
    done = dlcheck(tmp_path, env, "grade", "--all")
    assert done.returncode == 2 and "No workspace files" in done.stderr


def test_workspace_option_beats_environment(tmp_path, env):
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(SUBMISSIONS / "halve_numpy_int.py", other / "halve.py")
    done = dlcheck(tmp_path, env, "grade", "halve", "--workspace", str(other))
    assert done.returncode == 0


def test_hints_are_revealed_one_at_a_time(tmp_path, env):
    first = dlcheck(tmp_path, env, "hint", "scaled_sum")
    assert "Hint 1/2" in first.stdout and "Hint 2/2" not in first.stdout
    second = dlcheck(tmp_path, env, "hint", "scaled_sum")
    assert "Hint 2/2" in second.stdout and "last hint" in second.stdout


def test_show_prints_the_task(tmp_path, env):
    done = dlcheck(tmp_path, env, "show", "square_grad")
    assert done.returncode == 0
    assert "Signature" in done.stdout and "square_grad(x: Tensor) -> Tensor" in done.stdout
    assert "Rule" in done.stdout


def test_malformed_spec_names_file_and_field(tmp_path, env):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    spec = course / "exercises" / "halve.yaml"
    spec.write_text(spec.read_text().replace("points: 2", "points: two"))
    done = dlcheck(tmp_path, {**env, "DLCHECK_COURSE": str(course)}, "list")
    assert done.returncode == 2
    assert f"{spec}: field 'points'" in done.stderr


def test_listing_cache_never_hides_a_spec_broken_after_caching(tmp_path, env):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    env = {**env, "DLCHECK_COURSE": str(course)}
    assert dlcheck(tmp_path, env, "list").returncode == 0
    assert list((tmp_path / "cache" / "dlcheck").glob("listing-*.json"))  # warm now
    spec = course / "exercises" / "halve.yaml"
    spec.write_text(spec.read_text().replace("chapter: cnn", "chapter: cnnn"))
    done = dlcheck(tmp_path, env, "list")
    assert done.returncode == 2 and "field 'chapter'" in done.stderr
    (course / "exercises" / "square_grad.yaml").unlink()
    spec.write_text(spec.read_text().replace("chapter: cnnn", "chapter: cnn"))
    rows = json.loads(dlcheck(tmp_path, env, "list", "--format", "json").stdout)["exercises"]
    assert {r["id"] for r in rows} == {"scaled_sum", "halve", "apply_model"}


def test_validate_proves_the_fixture_course_and_catches_an_undetectable_mistake(tmp_path, env):
    assert dlcheck(tmp_path, env, "validate").returncode == 0
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "solutions" / "halve_mistakes.py").write_text(
        "def true_division(n):\n    return n // 2\n\n\ndef rounded_division(n):\n    return round(n / 2)\n")
    done = dlcheck(tmp_path, {**env, "DLCHECK_COURSE": str(course)}, "validate", "halve")
    assert done.returncode == 1
    assert "true_division" in done.stdout and "PASSES" in done.stdout


def test_an_internal_failure_exits_3_and_every_other_result_is_still_printed(tmp_path, env):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "solutions" / "halve.py").write_text("def halve(n):\n    raise RuntimeError('broken reference')\n")
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    put(tmp_path, "halve", "halve_float")
    done = dlcheck(tmp_path, {**env, "DLCHECK_COURSE": str(course)}, "grade", "--all", "--format", "json")
    assert done.returncode == 3, done.stderr
    results = {r["exercise"]: r for r in json.loads(done.stdout)["results"]}
    assert results["scaled_sum"]["status"] == "pass" and not results["scaled_sum"]["internal_error"]
    assert results["halve"]["status"] == "error" and results["halve"]["internal_error"]
    assert "not your fault" in results["halve"]["message"] and "broken reference" in results["halve"]["message"]
    assert "Traceback" not in done.stderr


def grade_in_the_course(tmp_path, exercise: str, source: str, *options: str):
    """`dlcheck grade` of `source` as the workspace file of a real catalog exercise."""
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    (workspace / f"{exercise}.py").write_text(source)
    return run_cli("grade", exercise, *options, cwd=tmp_path, env={
        "DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(workspace), "XDG_CACHE_HOME": str(tmp_path / "c"),
        "COLUMNS": "200"})


def test_a_huge_integer_where_a_float_is_expected_fails_that_case(tmp_path):
    done = grade_in_the_course(tmp_path, "secant_root", "def secant_root(*args, **kwargs):\n    return 2**2000\n",
                               "--format", "json")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "fail" and "too large for a float" in result["message"]


def test_a_namedtuple_where_a_tuple_is_asked_passes(tmp_path):
    done = grade_in_the_course(tmp_path, "made_masks", (
        "import collections\nimport torch\n\nMasks = collections.namedtuple('Masks', 'M_W M_V')\n\n\n"
        "def made_masks(input_degrees, hidden_degrees):\n"
        "    return Masks((hidden_degrees[:, None] >= input_degrees).double(),\n"
        "                 (input_degrees[:, None] > hidden_degrees).double())\n"), "--format", "json")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["status"] == "pass"


def test_a_near_miss_report_prints_two_different_numbers(tmp_path):
    source = (REPO / "solutions" / "secant_root.py").read_text().replace("    return d\n", "    return d * (1 + 1e-8)\n")
    done = grade_in_the_course(tmp_path, "secant_root", source)
    assert done.returncode == 1
    got, expected = re.search(r"worst: got (\S+), expected (\S+) \(", done.stdout).groups()
    assert got != expected and float(got) == pytest.approx(float(expected) * (1 + 1e-8), rel=1e-9)


def test_control_characters_from_a_submission_never_reach_the_terminal(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_ansi")
    done = dlcheck(tmp_path, env, "grade", "scaled_sum")
    assert done.returncode == 1
    assert not any(c in done.stdout for c in "\x1b\r\u202e"), repr(done.stdout[:400])
    assert "\\x1b[2J" in done.stdout  # shown, visibly escaped
    assert done.stdout.startswith("! scaled_sum: ERROR") or done.stdout.startswith("✗ scaled_sum: FAIL")


def test_the_graders_environment_never_reaches_the_submission(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_reads_environment")
    secret = "ci-token-5d1f0c8e"
    done = dlcheck(tmp_path, {**env, "GITHUB_TOKEN": secret, "DLCHECK_SECRET": secret}, "grade", "scaled_sum",
                   "--format", "json")
    assert done.returncode == 1
    assert "OMP_NUM_THREADS" in json.loads(done.stdout)["output"]  # it did print its environment
    assert secret not in done.stdout + done.stderr


def test_python_m_dlcheck_never_imports_modules_from_the_current_directory(tmp_path, env):
    for shadow in ("typer", "rich"):
        (tmp_path / f"{shadow}.py").write_text(f"open({str(tmp_path / 'SHADOWED')!r}, 'w').write('{shadow}')\n")
    done = dlcheck(tmp_path, env, "list")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "SHADOWED").exists()
