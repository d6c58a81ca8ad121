"""Feedback dlcheck computes must reach the screen (issue 10, "Feedback that is already computed but
not shown"), through the real CLI on the fixture course.

The text report is compared with the JSON result of the same submission: every explanation the
JSON carries for a failure (a timeout, a crash, a sandbox limit, a rule, a refused file …) must be
readable in the text a student sees. Rich wraps and frames the text, so the comparison is made on
the words alone (tests.cli.screen_words)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, REPO, run_cli

SUBMISSIONS = REPO / "tests" / "fixtures" / "submissions"


def env_for(tmp_path: Path, **extra: str) -> dict:
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
            "DLCHECK_SECRET": "test-secret", "COLUMNS": "100", "XDG_CACHE_HOME": str(tmp_path / "cache"), **extra}


def screen_words(text: str) -> str:
    """The text without Rich's panel frames and line wrapping: words separated by single spaces."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def grade_both_ways(tmp_path: Path, exercise: str, source: str, *extra: str) -> tuple[str, dict]:
    """(the text report, the JSON result) of the same workspace file."""
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    (workspace / f"{exercise}.py").write_text(source)
    text = run_cli("grade", exercise, *extra, cwd=tmp_path, env=env_for(tmp_path))
    data = run_cli("grade", exercise, "--format", "json", *extra, cwd=tmp_path, env=env_for(tmp_path))
    assert text.returncode == data.returncode == 1, text.stdout + text.stderr + data.stderr
    return text.stdout, json.loads(data.stdout)


def first_problem(result: dict) -> dict:
    return next(t for t in result["tests"] if t["status"] != "pass")


# ---------------------------------------------------------------- the three the issue names

@pytest.mark.parametrize("body, explanation", [
    ("while True:\n        pass", "Look for an infinite loop or work that grows too fast."),
    ("import os\n    os._exit(3)", "It exited with status 3: don't call os._exit() or exit the process from your "
                                  "function; return the result instead."),
    ("import torch\n    return torch.empty(64 * 1024**3, dtype=torch.uint8).sum()",
     "asked for more memory than the sandbox allows"),
], ids=["infinite-loop", "os-exit", "memory-limit"])
def test_why_a_case_stopped_is_shown_with_the_case(tmp_path, body, explanation):
    text, result = grade_both_ways(tmp_path, "scaled_sum", f"def scaled_sum(x, alpha):\n    {body}\n")
    problem = first_problem(result)
    assert explanation in problem["message"]  # the JSON had it all along
    words = screen_words(text)
    assert "first failing case" in words and f"case: {problem['name']}" in words
    panel = words.split("first failing case", 1)[1]
    assert screen_words(explanation) in panel, text  # in the case's box, not an empty box


# ---------------------------------------------------------------- every error class, table-driven

def _file(source: str) -> callable:
    return lambda path: path.write_text(source)


def _copy(name: str) -> callable:
    return lambda path: shutil.copy(SUBMISSIONS / name, path)


def _link(path: Path) -> None:
    path.symlink_to(FIXTURE_COURSE / "solutions" / path.name)


def _broken_reference(tmp_path: Path) -> Path:
    """A copy of the fixture course whose halve reference raises: dlcheck's failure, not the student's."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "solutions" / "halve.py").write_text("def halve(n):\n    raise RuntimeError('broken reference')\n")
    return course


def _real_course(tmp_path: Path) -> Path:
    return REPO


# (row id, exercise, how its file is made, a phrase of dlcheck's explanation that the JSON result
# carries and the text report must show). One row per way a code submission can fail to pass. They
# are graded in one `dlcheck batch` run (one student per row), whose feedback.txt for each student is
# the text report `dlcheck grade` prints (report.render_grade), next to its results.json.
CODE_CLASSES = [
    ("syntax-error", "scaled_sum", _copy("scaled_sum_syntax_error.py"), "Syntax error in"),
    ("missing-function", "scaled_sum", _copy("scaled_sum_wrong_name.py"), "has no function named 'scaled_sum'"),
    ("import-raises", "scaled_sum", _file("raise ImportError('no such thing')\n"), "raised ImportError: no such thing"),
    ("sys-exit-at-import", "scaled_sum", _copy("scaled_sum_sys_exit.py"), "your code called sys.exit(0)"),
    ("os-exit-at-import", "scaled_sum", _file("import os\nos._exit(5)\n"), "It exited with status 5"),
    ("rule-in-the-source", "square_grad", _copy("square_grad_autograd_grad.py"), "Rule 'no_autograd' broken"),
    ("rule-at-run-time", "square_grad", _copy("square_grad_backward.py"), "Rule 'no_autograd' broken"),
    ("raises", "scaled_sum", _copy("scaled_sum_raises.py"), "IndexError: Dimension out of range"),
    ("timeout", "scaled_sum", _copy("scaled_sum_hangs.py"), "Look for an infinite loop"),
    ("sleeps", "scaled_sum", _copy("scaled_sum_sleeps.py"), "is it waiting on input or sleeping"),
    ("os-exit", "scaled_sum", _copy("scaled_sum_os_exit.py"), "don't call os._exit()"),
    ("segfault", "scaled_sum", _copy("scaled_sum_segfault.py"), "SIGSEGV (a segmentation fault)"),
    ("memory-limit", "scaled_sum", _copy("scaled_sum_memory_every_case.py"), "more memory than the sandbox allows"),
    ("output-limit", "scaled_sum", _file("def scaled_sum(x, alpha):\n    while True:\n        print('x' * 100000)\n"),
     "MB of output"),
    ("huge-result", "scaled_sum", _file("import torch\n\ndef scaled_sum(x, alpha):\n    return torch.zeros(3_000_000)\n"),
     "far more than the expected output"),
    ("wrong-value", "scaled_sum", _copy("scaled_sum_mean.py"), "elements differ"),
    ("wrong-shape", "scaled_sum", _copy("scaled_sum_wrong_shape.py"), "shape"),
    ("changes-its-argument", "scaled_sum", _copy("scaled_sum_zeroes_input.py"), "changed"),
    ("hidden-case", "halve", _copy("halve_hardcoded.py"), "wrong value"),
    ("symbolic-link", "scaled_sum", _link, "is a symbolic link"),
    ("not-utf8", "scaled_sum", lambda path: path.write_bytes(b"def scaled_sum(x, alpha):\n    return '\xff'\n"),
     "is not UTF-8 text"),
]
# The same for what needs another course: each graded with `dlcheck grade`, as text and as JSON.
OTHER_CLASSES = [
    ("internal-error", "halve", _copy("halve_float.py"), "dlcheck could not grade this exercise (not your fault)",
     _broken_reference),
    ("symbolic-unreadable", "sigmoid_derivative", _file("sigma(x)(1-sigma(x)\n"), "never closed", _real_course),
    ("symbolic-empty", "sigmoid_derivative", _file("# nothing yet\n"), "holds no answer yet", _real_course),
    ("symbolic-wrong", "sigmoid_derivative", _file("sigma(x)^2\n"), "Your answer differs from the expected one",
     _real_course),
]


def assert_shown(result: dict, text: str, phrase: str) -> None:
    """The phrase is dlcheck's explanation in the JSON result, and the text report shows it."""
    assert result["status"] in ("fail", "error"), result["message"]
    carried = [result["message"], *(t["message"] for t in result["tests"]),
               (result["failure"] or {}).get("message") or ""]
    assert any(phrase in message for message in carried), (phrase, carried)
    assert screen_words(phrase) in screen_words(text), text


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory) -> Path:
    """Every row of CODE_CLASSES as a student of one class, graded by `dlcheck batch`; returns its --out."""
    root = tmp_path_factory.mktemp("error_classes")
    for student, exercise, make, _ in CODE_CLASSES:
        (root / "class" / student).mkdir(parents=True)
        make(root / "class" / student / f"{exercise}.py")
    (root / "week.yaml").write_text("name: Errors\nexercises:\n  - scaled_sum\n  - square_grad\n  - halve\n")
    done = run_cli("batch", str(root / "class"), "--assignment", str(root / "week.yaml"), "--out", str(root / "out"),
                   "--jobs", "2", cwd=root, env=env_for(root), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "out"


@pytest.mark.parametrize("student, exercise, phrase", [(row[0], row[1], row[3]) for row in CODE_CLASSES],
                         ids=[row[0] for row in CODE_CLASSES])
def test_every_explanation_in_the_json_is_in_the_text_report(graded_class, student, exercise, phrase):
    folder = graded_class / "students" / student
    results = {r["exercise"]: r for r in json.loads((folder / "results.json").read_text())["results"]}
    feedback = (folder / "feedback.txt").read_text()
    # This exercise's report: after the student's summary table (whose messages must not count), up to
    # the blank line before the next exercise's.
    report = feedback[feedback.index(f"{exercise}: {results[exercise]['status'].upper()}"):].split("\n\n", 1)[0]
    assert_shown(results[exercise], report, phrase)


@pytest.mark.parametrize("exercise, make, phrase, course", [row[1:] for row in OTHER_CLASSES],
                         ids=[row[0] for row in OTHER_CLASSES])
def test_every_explanation_in_the_json_is_in_the_text_report_elsewhere(tmp_path, exercise, make, phrase, course):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = env_for(tmp_path, DLCHECK_COURSE=str(course(tmp_path)))
    make(workspace / f"{exercise}{'.txt' if course is _real_course else '.py'}")
    text = run_cli("grade", exercise, cwd=tmp_path, env=env)
    data = run_cli("grade", exercise, "--format", "json", cwd=tmp_path, env=env)
    assert_shown(json.loads(data.stdout), text.stdout, phrase)
