"""Fail closed: where the sandbox cannot hide the course or filter system calls, grading that counts
refuses (exit 4) unless the instructor opts in, and a student's practice run warns in one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, REPO

SUBMISSIONS = REPO / "tests" / "fixtures" / "submissions"


def grade(tmp_path: Path, *args: str, weaken: list[str] | None = None, ci: bool = False):
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    shutil.copy(SUBMISSIONS / "scaled_sum_ok.py", workspace / "scaled_sum.py")
    command = [sys.executable, "-m", "dlcheck", "grade", *(args if "--all" in args else ("scaled_sum", *args))]
    if weaken is not None:
        command = [sys.executable, "-m", "tests.cli.weaken", *weaken, *command]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "DLCHECK_COURSE": str(FIXTURE_COURSE),
           "DLCHECK_WORKSPACE": str(workspace), "XDG_CACHE_HOME": str(tmp_path / "cache"), **({"CI": "true"} if ci else {})}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(autouse=True)
def needs_seccomp():
    from dlcheck.sandbox import seccomp

    if not seccomp.available():
        pytest.skip(f"LOUD SKIP: no seccomp table for {sys.platform}; the weak configurations cannot be simulated")


def test_with_namespaces_or_landlock_a_grade_counts(tmp_path):
    for weaken in (None, []):  # full namespaces; namespaces refused but Landlock present
        done = grade(tmp_path, "--format", "json", weaken=weaken)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["sandbox"]["trusted"] is True


@pytest.mark.parametrize("how", [("--format", "json"), ("--all",), ()])
def test_grading_that_counts_refuses_a_weak_sandbox(tmp_path, how):
    done = grade(tmp_path, *how, weaken=["--no-landlock"], ci=how == ())
    assert done.returncode == 4, done.stderr
    assert done.stdout == ""
    assert "--allow-weak-sandbox" in done.stderr and "hide the course" in done.stderr


def test_the_instructor_can_opt_in_and_the_result_says_it_is_untrusted(tmp_path):
    done = grade(tmp_path, "--format", "json", "--allow-weak-sandbox", weaken=["--no-landlock"])
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "pass" and result["sandbox"]["trusted"] is False
    assert "no-file-writes" in result["sandbox"]["layers"]


def test_a_practice_run_warns_in_one_line_and_goes_on(tmp_path):
    done = grade(tmp_path, weaken=["--no-landlock"])
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("warning:") and done.stderr.count("\n") == 1
    assert "PASS" in done.stdout and "cannot count" in done.stdout
