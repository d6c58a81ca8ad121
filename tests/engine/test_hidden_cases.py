"""Hidden cases: drawn like the public random ones from a seed the student cannot know, reported
pass/fail without values. Reading every expected value off one run must not buy a pass."""

from __future__ import annotations

import json
import re

from dlcheck.catalog import Course
from dlcheck.grading import Grader
from dlcheck.submission import Submission
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

DUMMY = '''
def halve(n):
    print("INPUT", n)
    return -1
'''


def grade_cli(tmp_path, source: str, env: dict | None = None) -> dict:
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    (workspace / "halve.py").write_text(source)
    done = run_cli("grade", "halve", "--format", "json", cwd=tmp_path, env={
        "DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(workspace),
        "XDG_CACHE_HOME": str(tmp_path / "cache"), **(env or {})})
    return json.loads(done.stdout)


def test_hard_coding_every_value_a_run_shows_fails_on_hidden_cases(tmp_path):
    first = grade_cli(tmp_path, DUMMY)
    inputs = [int(n) for n in re.findall(r"INPUT (\d+)", first["output"])]
    shown = {t["name"]: t["message"] for t in first["tests"] if not t["hidden"]}
    expected = [int(re.search(r"expected (-?\d+)", message).group(1)) for message in shown.values()]
    assert len(expected) == 2  # the public cases told us everything about themselves
    table = dict(zip(inputs, expected))
    forged = grade_cli(tmp_path, f"TABLE = {table!r}\n\ndef halve(n):\n    return TABLE.get(n, 0)\n")
    assert forged["status"] == "fail"
    public = [t for t in forged["tests"] if not t["hidden"]]
    hidden = [t for t in forged["tests"] if t["hidden"]]
    assert [t["status"] for t in public] == ["pass", "pass"] and len(hidden) >= 4
    assert any(t["status"] == "fail" for t in hidden)
    assert forged["failure"] == {"case": next(t["name"] for t in hidden if t["status"] == "fail"), "hidden": True,
                                 "message": "wrong value"}


def test_hidden_cases_never_show_inputs_or_expected_values(tmp_path):
    result = grade_cli(tmp_path, DUMMY)
    hidden_inputs = [int(n) for n in re.findall(r"INPUT (\d+)", result["output"])][2:]
    for test in (t for t in result["tests"] if t["hidden"]):
        assert test["name"].startswith("hidden #") and test["message"] == "wrong value"
    # Points and times are the schema's own numbers (max_points 0.33 holds "33"): leave them out, so
    # that a random input of 66 or 67 cannot fail the test by coincidence.
    schema_numbers = {"points", "max_points", "seconds"}
    text = json.dumps([{k: v for k, v in t.items() if k not in schema_numbers}
                       for t in result["tests"] if t["hidden"]])
    for n in hidden_inputs:
        assert str(n // 2) not in re.findall(r"\d+", text.replace("hidden #", ""))


def test_a_secret_makes_hidden_cases_stable_and_without_one_they_change_each_run():
    course = Course(FIXTURE_COURSE)
    spec = course.get("scaled_sum")

    def hidden_args(secret):
        with Grader(course, secret=secret) as grader:
            return [c.args for c in grader.reference_cases(spec) if c.hidden]

    assert hidden_args("course-secret") == hidden_args("course-secret")
    assert hidden_args("course-secret") != hidden_args("another-secret")
    with Grader(course) as one, Grader(course) as two:
        assert one.hidden_seed("scaled_sum") != two.hidden_seed("scaled_sum")
        assert one.hidden_seed_source == "per-run"


def test_generated_cases_get_hidden_ones_that_repeat_no_public_case():
    course = Course(REPO)
    spec = course.get("made_masks")
    with Grader(course, secret="s") as grader:
        cases = grader.reference_cases(spec)
        result = grader.grade(spec, Submission(course.reference_path(spec).read_text(), "made_masks.py", ".py"))
    public = [c.args for c in cases if not c.hidden]
    hidden = [c for c in cases if c.hidden]
    assert hidden and all(c.args not in public for c in hidden)
    assert result.status == "pass" and result.hidden_cases == "secret"
