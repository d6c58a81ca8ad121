"""Shared fixtures: the real course, the fixture course, and graders that reuse one sandbox per session.

Tests grade real submission files through the real engine (and, in tests/cli, the real CLI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dlcheck.catalog import Course
from dlcheck.grading import Grader
from dlcheck.submission import Submission, read_submission

REPO = Path(__file__).resolve().parent.parent
FIXTURE_COURSE = REPO / "tests" / "fixtures" / "course"
SUBMISSIONS = REPO / "tests" / "fixtures" / "submissions"
REDTEAM = REPO / "tests" / "fixtures" / "redteam"
FIXTURE_CLASS = REPO / "tests" / "fixtures" / "class"


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


def build_fixture_class(destination: Path) -> Path:
    """tests/fixtures/class copied to `destination`, as `dlcheck batch` meets a class: the student
    committed under _as_zip/ becomes `zipped.zip` (files at its root), the one under _as_git/ a git
    repository `gitrepo/` with one commit, and hostile/square_grad.py a link to the fixture course's
    reference. expected.json (copied along) says what grading each student gives."""
    shutil.copytree(FIXTURE_CLASS, destination, symlinks=True)
    with zipfile.ZipFile(destination / "zipped.zip", "w") as archive:
        for path in sorted((destination / "_as_zip" / "zipped").iterdir()):
            archive.write(path, path.name)
    shutil.rmtree(destination / "_as_zip")
    repo = destination / "gitrepo"
    (destination / "_as_git" / "gitrepo").rename(repo)
    (destination / "_as_git").rmdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "gitrepo", "GIT_AUTHOR_EMAIL": "gitrepo@students.example",
           "GIT_COMMITTER_NAME": "gitrepo", "GIT_COMMITTER_EMAIL": "gitrepo@students.example"}
    for command in (["init", "-q", "-b", "main", "."], ["add", "-A"], ["commit", "-q", "-m", "My submission"]):
        subprocess.run(["git", *command], cwd=repo, env=env, check=True, capture_output=True)
    (destination / "hostile" / "square_grad.py").symlink_to(FIXTURE_COURSE / "solutions" / "square_grad.py")
    return destination


@pytest.fixture
def fixture_class(tmp_path) -> Path:
    """A class of students for the fixture course (tests/fixtures/class, see build_fixture_class):
    good, bad, crashing, hostile, missing, empty, misnamed, zipped.zip and gitrepo, with
    assignment.yaml and expected.json next to them."""
    return build_fixture_class(tmp_path / "class")


@pytest.fixture(scope="session")
def redteam_source():
    """redteam_source(exercise_id, name) -> the text of tests/fixtures/redteam/<exercise_id>/<name>.py."""
    return lambda exercise_id, name: (REDTEAM / exercise_id / f"{name}.py").read_text()


def run_cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `dlcheck` command line in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "dlcheck", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def put(tmp_path: Path, exercise_id: str, submission: str) -> Path:
    """Copy tests/fixtures/submissions/<submission>.py to tmp_path/ws/<exercise_id>.py (the workspace)."""
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    target = workspace / f"{exercise_id}.py"
    shutil.copy(SUBMISSIONS / f"{submission}.py", target)
    return target
