"""scripts/make_class.py: a synthetic class is deterministic, has the intended mix, and each
category is graded as expected.json says by the real CLI (a sample: a few students of a class over
a handful of exercises, chosen to cover every category and kind of breakage)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.class_check import grade_student, mismatches, student_workspace
from tests.conftest import FIXTURE_COURSE, REPO

SCRIPT = REPO / "scripts" / "make_class.py"
# Quick to grade, and between them: a case generator, a plain tensor function, mistake variants,
# and two symbolic exercises.
SAMPLE_EXERCISES = "conv_shape,kl_gaussian,grad_clip_global_norm,kl_gaussian_1d,sigmoid_derivative"


def make_class(out: Path | None, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), str(out or "unused"), *args, *([] if out else ["--dry-run"])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def small_classes(tmp_path_factory):
    """The same 6-student class written twice with seed 0, and once with seed 1."""
    root = tmp_path_factory.mktemp("classes")
    for name, seed in (("a", "0"), ("b", "0"), ("c", "1")):
        make_class(root / name, "--students", "6", "--seed", seed, "--exercises", "conv_shape,kl_gaussian,kl_gaussian_1d")
    return root


def test_same_seed_gives_byte_identical_class(small_classes):
    first, again = tree_bytes(small_classes / "a"), tree_bytes(small_classes / "b")
    assert first == again
    assert any(name.endswith(".zip") for name in first) and any("/.git/" in name for name in first)


def test_another_seed_gives_another_class(small_classes):
    assert tree_bytes(small_classes / "a") != tree_bytes(small_classes / "c")


def test_entries_hold_the_files_expected_json_names(small_classes):
    out = small_classes / "a"
    expected = json.loads((out / "expected.json").read_text())
    assert sorted(p.name for p in out.iterdir() if p.name not in ("assignment.yaml", "expected.json")) == \
        sorted(student["entry"] for student in expected["students"].values())
    assert (out / "assignment.yaml").read_text().splitlines()[1:] == \
        ["exercises:", "  - conv_shape", "  - kl_gaussian", "  - kl_gaussian_1d"]
    for student in expected["students"].values():
        files = sorted(e["file"] for e in student["exercises"].values() if e["file"])
        entry = out / student["entry"]
        if student["form"] == "zip":
            with zipfile.ZipFile(entry) as archive:
                assert sorted(archive.namelist()) == files
                assert {info.date_time for info in archive.infolist()} <= {(2026, 1, 5, 12, 0, 0)}
        else:
            assert sorted(p.name for p in entry.iterdir() if p.name != ".git") == files
        if student["form"] == "git":
            committed = subprocess.run(["git", "ls-tree", "--name-only", "HEAD"], cwd=entry, capture_output=True,
                                       text=True, check=True).stdout.split()
            assert sorted(committed) == files
            status = subprocess.run(["git", "status", "--porcelain"], cwd=entry, capture_output=True, text=True)
            assert status.stdout == ""  # the working tree is HEAD's


def test_categories_come_in_the_intended_proportions():
    counts = json.loads(make_class(None, "--students", "100", "--seed", "3").stdout)
    percent = counts["percent"]
    assert counts["submissions"] == 100 * 63 and counts["students"] == 100
    intended = {"correct": 57.5, "mistake": 18, "novel": 10, "crash": 6, "missing": 6, "misnamed": 2}
    for category, share in intended.items():
        assert abs(percent[category] - share) <= max(1.0, share / 5), (category, percent)
    assert 0 < counts["categories"]["timeout"] <= 0.01 * counts["submissions"]
    assert counts["forms"] == {"folder": 85, "zip": 10, "git": 5}


def test_timeouts_option_sets_their_share():
    counts = json.loads(make_class(None, "--students", "50", "--timeouts", "0",
                                   "--exercises", "conv_shape,kl_gaussian").stdout)
    assert counts["categories"]["timeout"] == 0


def test_a_sample_is_graded_as_its_category(tmp_path):
    out = tmp_path / "class"
    make_class(out, "--students", "40", "--seed", "7", "--timeouts", "0", "--exercises", SAMPLE_EXERCISES)
    expected = json.loads((out / "expected.json").read_text())
    chosen = _covering_students(expected["students"])
    covered = {entry["category"].split(":")[0] for sid in chosen for entry in expected["students"][sid]["exercises"].values()}
    assert covered == {"correct", "mistake", "novel", "crash", "missing", "misnamed"}
    problems = []
    for student_id in chosen:
        student = expected["students"][student_id]
        workspace = student_workspace(out, student["entry"], tmp_path)
        _, document = grade_student(workspace, out / "assignment.yaml", REPO, cwd=tmp_path)
        problems += [f"{student_id}: {problem}" for problem in mismatches(document, student, exact=False)]
    assert problems == []


def test_a_generated_timeout_is_graded_as_an_error(tmp_path):
    """On the fixture course, whose scaled_sum allows 2 s a case: timeouts cost little there."""
    out = tmp_path / "class"
    make_class(out, "--students", "8", "--course", str(FIXTURE_COURSE), "--exercises", "scaled_sum",
               "--timeouts", "50")
    expected = json.loads((out / "expected.json").read_text())
    student_id, student = next((sid, s) for sid, s in expected["students"].items()
                               if s["exercises"]["scaled_sum"]["category"] == "timeout")
    workspace = student_workspace(out, student["entry"], tmp_path)
    _, document = grade_student(workspace, out / "assignment.yaml", FIXTURE_COURSE, cwd=tmp_path)
    assert mismatches(document, student, exact=False) == []
    assert "Timed out" in document["results"][0]["message"]


def _covering_students(students: dict) -> list[str]:
    """A few students who between them have every category, crash kind and harmless variation of
    the class, picked greedily (the most new ones first)."""
    def features(student):
        found = set()
        for exercise, entry in student["exercises"].items():
            category = entry["category"].split(":")[0]
            found.add(category)
            found.add(f"{category}/{'code' if exercise not in ('kl_gaussian_1d', 'sigmoid_derivative') else 'symbolic'}")
            found |= {f"{category}/{part.strip()}" for part in entry["detail"].split(",")
                      if category in ("crash", "correct", "misnamed")}
            if entry["detail"].startswith("variant"):
                found.add("mistake/variant")
            found.add(f"form/{student['form']}")
        return found

    wanted = set().union(*(features(s) for s in students.values()))
    chosen: list[str] = []
    while wanted:
        best = max(sorted(students), key=lambda sid: len(features(students[sid]) & wanted))
        chosen.append(best)
        wanted -= features(students[best])
    return chosen
