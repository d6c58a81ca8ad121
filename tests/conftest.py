"""Shared fixtures: the real course, the fixture course, and graders that reuse one sandbox per session.

Tests grade real submission files through the real engine (and, in tests/cli, the real CLI).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlcheck.catalog import Course
from dlcheck.grading import Grader
from dlcheck.submission import Submission, read_submission

REPO = Path(__file__).resolve().parent.parent
FIXTURE_COURSE = REPO / "tests" / "fixtures" / "course"
REDTEAM = REPO / "tests" / "fixtures" / "redteam"


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(REPO)


@pytest.fixture(scope="session")
def fixture_course() -> Course:
    return Course(FIXTURE_COURSE)


@pytest.fixture(scope="session")
def grader(course):
    with Grader(course) as g:
        g.warm_up()
        yield g


@pytest.fixture(scope="session")
def fixture_grader(fixture_course):
    with Grader(fixture_course) as g:
        g.warm_up()
        yield g


def _grade_text(the_course: Course, the_grader: Grader, tmp_path: Path, exercise_id: str, text: str,
                suffix: str | None = None):
    """The text written to a workspace file, read back and graded as the CLI does."""
    spec = the_course.get(exercise_id)
    path = tmp_path / f"{exercise_id}{suffix or ('.py' if spec.kind == 'code' else '.txt')}"
    path.write_text(text, encoding="utf-8")
    submission = read_submission(path, the_course.solutions_dir)
    return the_grader.grade(spec, Submission(submission.text, path.name, submission.suffix))


@pytest.fixture
def grade_text(course, grader, tmp_path):
    """grade_text(exercise_id, source_or_answer) -> GradeResult, for the real course."""
    return lambda exercise_id, text, suffix=None: _grade_text(course, grader, tmp_path, exercise_id, text, suffix)


@pytest.fixture
def grade_fixture(fixture_course, fixture_grader, tmp_path):
    """The same for the fixture course in tests/fixtures/course."""
    return lambda exercise_id, text, suffix=None: _grade_text(fixture_course, fixture_grader, tmp_path,
                                                              exercise_id, text, suffix)


@pytest.fixture(scope="session")
def redteam_source():
    """redteam_source(exercise_id, name) -> the text of tests/fixtures/redteam/<exercise_id>/<name>.py."""
    return lambda exercise_id, name: (REDTEAM / exercise_id / f"{name}.py").read_text()


def run_cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `dlcheck` command line in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "dlcheck", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
