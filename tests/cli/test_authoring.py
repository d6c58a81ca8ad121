"""Instructor tooling through the real CLI: scaffold with `dlcheck new`, prove with `dlcheck validate`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import FIXTURE_COURSE, REPO, run_cli


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def dlcheck(tmp_path, course, *args):
    return run_cli(*args, cwd=tmp_path, env={"DLCHECK_COURSE": str(course), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
                                             "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "200"})


def test_new_scaffolds_files_that_validate_reports_as_unfinished(tmp_path, course):
    done = dlcheck(tmp_path, course, "new", "double_it", "--kind", "code", "--chapter", "flows")
    assert done.returncode == 0
    for path in ("exercises/double_it.yaml", "solutions/double_it.py", "solutions/double_it_mistakes.py",
                 "solutions/double_it_examples.yaml"):
        assert (course / path).is_file() and str(course / path) in done.stdout.replace("\n", "")
    report = dlcheck(tmp_path, course, "validate", "double_it", "--format", "json")
    assert report.returncode == 1
    checks = {c["name"]: c for c in json.loads(report.stdout)["exercises"][0]["checks"]}
    assert not checks["spec is complete"]["ok"]
    assert "title" in checks["spec is complete"]["detail"] and "hints[0]" in checks["spec is complete"]["detail"]
    assert "NotImplementedError" in checks["grading runs"]["detail"]
    assert "solutions/double_it.py" in checks["grading runs"]["detail"]


def test_a_filled_in_scaffold_is_proven(tmp_path, course):
    assert dlcheck(tmp_path, course, "new", "double_it", "--kind", "code", "--chapter", "flows").returncode == 0
    spec = course / "exercises" / "double_it.yaml"
    text = spec.read_text()
    for old, new in [('"TODO: a one-line title"', "Double it"), ('"TODO: a nudge"', "Multiply."),
                     ('"TODO: the method"', "By two."), ('"TODO: nearly the answer"', "2 * x"),
                     ('"TODO: a small case a student can check by hand"', "two values"),
                     ('"TODO: name the misconception and teach the fix"', "Wrong factor.")]:
        text = text.replace(old, new)
    text = text.replace("TODO: the task", "Return 2x. The task").replace("TODO: shapes", "Shapes")
    spec.write_text(text)
    examples = course / "solutions" / "double_it_examples.yaml"  # private: a passing example is a solution
    examples.write_text(examples.read_text()
                        .replace('"TODO: a correct solution written unlike the reference"', "adding it to itself")
                        .replace("return x  # TODO: a correct solution in another style", "return x + x"))
    (course / "solutions" / "double_it.py").write_text("def double_it(x):\n    return 2 * x\n")
    (course / "solutions" / "double_it_mistakes.py").write_text(
        "def first_mistake(x):\n    return x\n\n\ndef second_mistake(x):\n    return 3 * x\n")
    done = dlcheck(tmp_path, course, "validate", "double_it")
    assert done.returncode == 0, done.stdout


def test_validate_flags_a_mistake_left_as_a_stub(tmp_path, course):
    (course / "solutions" / "halve_mistakes.py").write_text(
        "def true_division(n):\n    raise NotImplementedError('TODO')\n\n\n"
        "def rounded_division(n):\n    return round(n / 2)\n")
    done = dlcheck(tmp_path, course, "validate", "halve", "--format", "json")
    assert done.returncode == 1
    failed = [c for c in json.loads(done.stdout)["exercises"][0]["checks"] if not c["ok"]]
    assert any("is implemented" in c["name"] and "NotImplementedError" in c["detail"] for c in failed)


@pytest.mark.parametrize("exercise, compare, failure", [
    ("scaled_sum", "{rtol: 0, atol: 0}", "the output compared with rtol = atol = 0"),
    ("scaled_sum", "{rtol: 0, atol: 0, exact_reason: 'the sum of two values is exact here'}", None),
    ("scaled_sum", "{exact_reason: 'stale'}", "no float output is compared with rtol = atol = 0"),
    ("halve", "{rtol: 0, atol: 0}", None),  # an int output: compared exactly whatever the tolerance
])
def test_validate_flags_floats_compared_exactly_without_a_reason(tmp_path, course, exercise, compare, failure):
    spec = course / "exercises" / f"{exercise}.yaml"
    spec.write_text(spec.read_text() + f"compare: {compare}\n")
    done = dlcheck(tmp_path, course, "validate", exercise, "--format", "json")
    checks = {c["name"]: c for c in json.loads(done.stdout)["exercises"][0]["checks"]}
    check = checks["float outputs have a tolerance"]
    assert check["ok"] is (failure is None), check
    assert failure is None or failure in check["detail"]
    assert done.returncode == (0 if failure is None else 1), done.stdout


@pytest.mark.parametrize("args, fragment", [
    (("new", "Bad-Id", "--kind", "code", "--chapter", "vae"), "not a valid id"),
    (("new", "fine_id", "--kind", "code", "--chapter", "nope"), "Unknown chapter"),
    (("new", "halve", "--kind", "code", "--chapter", "cnn"), "Not overwriting"),
    (("new", "fine_id", "--kind", "essay", "--chapter", "vae"), "essay"),
])
def test_new_refuses_bad_input_and_never_overwrites(tmp_path, course, args, fragment):
    before = (course / "exercises" / "halve.yaml").read_text()
    done = dlcheck(tmp_path, course, *args)
    assert done.returncode == 2
    assert fragment in done.stderr
    assert (course / "exercises" / "halve.yaml").read_text() == before


def test_list_reports_progress_per_chapter(tmp_path, course):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "halve.py").write_text("def halve(n):\n    return n // 2\n")
    assert dlcheck(tmp_path, course, "grade", "halve").returncode == 0
    listing = json.loads(dlcheck(tmp_path, course, "list", "--format", "json").stdout)
    chapters = {c["chapter"]: (c["passed"], c["total"]) for c in listing["chapters"]}
    assert chapters == {"ml-basics": (0, 2), "cnn": (1, 1), "diffusion": (0, 1)}
    text = dlcheck(tmp_path, course, "list").stdout
    assert "CNN" in text and "1/1 passed" in text and "ML basics & training" in text and "0/2 passed" in text


def test_catalog_document_is_generated_from_the_specs():
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "make_catalog.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
