"""The fixture class (tests/fixtures/class, built by tests/conftest.py:build_fixture_class) is what
its expected.json says: each student graded with the real CLI, `dlcheck grade --assignment
tests/fixtures/class/assignment.yaml --format json --workspace <student>` against the fixture
course, gives exactly the expected statuses, diagnoses and warnings.

The students: good (everything passes, in other styles than the references), bad (wrong answers,
two known mistakes), crashing (an infinite loop, a syntax error, an exception on some cases,
os._exit), hostile (fake results on every output channel, hunting for the reference, the course and
the environment, writing outside, forking, a link to the reference), missing (three of four absent),
empty (nothing), misnamed (Scaled_Sum.py, halve.py.txt, square-grad.py, a stray x.py.txt),
zipped.zip and gitrepo/ (a git repository with one commit).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.class_check import grade_student, mismatches, student_workspace
from tests.conftest import FIXTURE_CLASS, FIXTURE_COURSE

EXPECTED = json.loads((FIXTURE_CLASS / "expected.json").read_text(encoding="utf-8"))
ASSIGNMENT = FIXTURE_CLASS / "assignment.yaml"
SECRET = "dlcheck-class-secret-5f1c9a"  # in the grader's environment: no student output may show it
REFERENCE_MARKER = "fixture-course-678e88cb-8275-4a4a-8746-f08ab054c27b"  # a line in every fixture reference
HOSTILE_MARK = "dlcheck-fixture-class-hostile-was-here"  # the file hostile/apply_model.py tries to write


def test_the_built_class_has_exactly_the_expected_students(fixture_class):
    entries = sorted(path.name for path in fixture_class.iterdir() if path.name not in ("assignment.yaml", "expected.json"))
    assert entries == sorted(student["entry"] for student in EXPECTED["students"].values())
    assert (fixture_class / "zipped.zip").is_file() and (fixture_class / "gitrepo" / ".git").is_dir()
    assert (fixture_class / "hostile" / "square_grad.py").is_symlink()
    for student in EXPECTED["students"].values():
        assert list(student["exercises"]) == EXPECTED["exercises"]


def test_expected_counts_add_up():
    categories = {name: 0 for name in EXPECTED["counts"]["categories"]}
    for student in EXPECTED["students"].values():
        for entry in student["exercises"].values():
            categories[entry["category"].split(":")[0]] += 1
            assert len(entry["status"]) == 1, "the fixture's statuses are exact"
            if entry["category"].startswith("mistake:"):
                assert entry["diagnosis"] == entry["category"].split(":", 1)[1]
    assert categories == EXPECTED["counts"]["categories"]


@pytest.mark.parametrize("student", sorted(EXPECTED["students"]))
def test_student_is_graded_as_expected(student, fixture_class, tmp_path):
    expected = EXPECTED["students"][student]
    workspace = student_workspace(fixture_class, expected["entry"], tmp_path)
    course_files = _snapshot(FIXTURE_COURSE)
    outside = [Path("/tmp") / HOSTILE_MARK, Path.home() / HOSTILE_MARK, tmp_path / HOSTILE_MARK]
    for path in outside:
        path.unlink(missing_ok=True)
    done, document = grade_student(workspace, ASSIGNMENT, FIXTURE_COURSE, cwd=tmp_path,
                                   env={"DLCHECK_CLASS_SECRET": SECRET})
    assert mismatches(document, expected, exact=True) == []
    assert done.returncode == (0 if all(e["status"] == ["pass"] for e in expected["exercises"].values()) else 1)
    for text in (done.stdout, done.stderr):
        assert SECRET not in text and REFERENCE_MARKER not in text
    assert _snapshot(FIXTURE_COURSE) == course_files
    assert not [path for path in outside + [workspace / HOSTILE_MARK, fixture_class / HOSTILE_MARK] if path.exists()]


def test_hostile_fake_results_stay_in_the_students_output(fixture_class, tmp_path):
    """The hostile scaled_sum prints a fake passing document on stdout, stderr and fds 1 and 2: the
    CLI's stdout is still the one real document (it parsed), and the fake is only in the output it
    shows as the student's."""
    done, document = grade_student(fixture_class / "hostile", ASSIGNMENT, FIXTURE_COURSE, cwd=tmp_path)
    scaled_sum = next(result for result in document["results"] if result["exercise"] == "scaled_sum")
    assert scaled_sum["status"] == "fail" and "PASS" in (scaled_sum["output"] or "")
    assert document["totals"]["passed"] == 0


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts and not os.path.islink(path)}
