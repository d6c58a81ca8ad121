"""`dlcheck grade --assignment FILE` through the real CLI: exactly the exercises due, with the
assignment's points; missing files graded as missing; misnamed files reported; bad files named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_cli import SUBMISSIONS, dlcheck, env  # noqa: F401 - env is the fixture course's CLI fixture
from tests.conftest import REPO

ASSIGNMENT = """\
name: Week 1
due: 2026-03-01T23:59:00+01:00
visibility: after_due_date
exercises:
  - scaled_sum            # the spec's 5 points
  - id: halve
    points: 6             # the spec says 2
  - square_grad
"""


def workspace(tmp_path, files: dict[str, str]) -> Path:
    """A workspace holding `files`: name -> a fixture submission (or "" for an empty file)."""
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    for name, submission in files.items():
        if submission:
            shutil.copy(SUBMISSIONS / f"{submission}.py", root / name)
        else:
            (root / name).write_text("")
    return root


def assignment(tmp_path, text: str = ASSIGNMENT, name: str = "week1.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_missing_and_misnamed_files(tmp_path, env):
    # halve is half-right (its float-returning submission fails); square_grad sits under a wrong name.
    workspace(tmp_path, {"scaled_sum.py": "scaled_sum_ok", "halve.py": "halve_float",
                         "Square-Grad.py": "scaled_sum_ok", "x.py.txt": "", "notes.md": "",
                         "apply_model.py": "apply_model_ok"})
    done = dlcheck(tmp_path, env, "grade", "--assignment", str(assignment(tmp_path)), "--format", "json")
    assert done.returncode == 1, done.stderr  # something is missing (and one fails)
    report = json.loads(done.stdout)
    results = {r["exercise"]: r for r in report["results"]}
    assert list(results) == ["scaled_sum", "halve", "square_grad"]  # exactly the assignment, in its order
    assert (results["scaled_sum"]["status"], results["scaled_sum"]["score"], results["scaled_sum"]["max_score"]) \
        == ("pass", 5.0, 5.0)
    halve = results["halve"]
    assert halve["status"] == "fail" and halve["max_score"] == 6.0 and 0 <= halve["score"] < 6
    missing = results["square_grad"]
    assert (missing["status"], missing["score"], missing["max_score"]) == ("missing", 0.0, 4.0)
    assert "square_grad.py" in missing["message"]
    assert report["totals"] == {"exercises": 3, "passed": 1, "failed": 1, "errored": 0, "missing": 1,
                                "score": round(5.0 + halve["score"], 2), "max_score": 15.0}
    assert report["assignment"] == {"file": str(tmp_path / "week1.yaml"), "name": "Week 1",
                                    "due": "2026-03-01T23:59:00+01:00", "visibility": "after_due_date"}
    warnings = {w["file"]: w for w in report["warnings"]}
    assert set(warnings) == {"Square-Grad.py", "x.py.txt", "apply_model.py"}  # notes.md resembles no exercise
    assert warnings["Square-Grad.py"]["did_you_mean"] == "square_grad.py"
    assert warnings["x.py.txt"]["did_you_mean"] is None and "matches no exercise" in warnings["x.py.txt"]["message"]
    assert "not part of this assignment" in warnings["apply_model.py"]["message"]
    state = json.loads((tmp_path / "ws" / ".dlcheck" / "state.json").read_text())
    assert "square_grad" not in state["results"]  # nothing was graded, so no progress is recorded


def test_text_report_shows_missing_points_and_warnings(tmp_path, env):
    workspace(tmp_path, {"scaled_sum.py": "scaled_sum_ok", "Halve.py": "halve_numpy_int"})
    done = dlcheck(tmp_path, env, "grade", "--all", "--assignment", str(assignment(tmp_path)))
    assert done.returncode == 1, done.stderr
    assert "assignment Week 1" in done.stdout
    assert "∅ missing" in done.stdout and "0/6" in done.stdout and "0/4" in done.stdout
    assert "1/3 exercises pass · 5/15 points · 2 missing" in done.stdout
    assert "warning: Halve.py matches no exercise and is not graded. Did you mean halve.py?" in done.stdout


def test_everything_handed_in_and_passing_exits_0(tmp_path, env):
    workspace(tmp_path, {"scaled_sum.py": "scaled_sum_ok", "halve.py": "halve_numpy_int"})
    path = assignment(tmp_path, "exercises:\n  - scaled_sum\n  - id: halve\n    points: 1.5\n")
    done = dlcheck(tmp_path, env, "grade", "--assignment", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["totals"]["score"] == report["totals"]["max_score"] == 6.5
    assert report["assignment"]["visibility"] == "public" and report["assignment"]["due"] is None


def test_misnamed_files_of_the_real_catalog_get_a_did_you_mean(tmp_path, env):
    """Nothing due has a file here, so nothing runs: only the names are looked at."""
    workspace(tmp_path, {"Conv_Shape.py": "", "kl-gaussian.py": "", "x.py.txt": ""})
    path = assignment(tmp_path, "exercises: [conv_shape, kl_gaussian]\n")
    done = dlcheck(tmp_path, {**env, "DLCHECK_COURSE": str(REPO)}, "grade", "--assignment", str(path),
                   "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [r["status"] for r in report["results"]] == ["missing", "missing"]
    assert report["totals"]["max_score"] == 15.0  # the specs' points: 5 + 10
    assert {w["file"]: w["did_you_mean"] for w in report["warnings"]} == {
        "Conv_Shape.py": "conv_shape.py", "kl-gaussian.py": "kl_gaussian.py", "x.py.txt": None}


@pytest.mark.parametrize("text, field, says", [
    ("exercises: [scaled_sun]\n", "exercises[0]", "Did you mean: scaled_sum?"),
    ("exercises:\n  - id: halve\n    points: 0\n", "exercises[0].points", "> 0"),
    ("exercises: [halve, halve]\n", "exercises[1]", "listed twice"),
    ("exercises: [halve]\nvisibility: secret\n", "visibility", "public, hidden, after_due_date"),
    ("exercises: [halve]\nvisibility: after_due_date\n", "visibility", "needs a 'due'"),
    ("exercises: [halve]\ndue: 2026-03-01\n", "due", "time and its zone"),
    ("exercises: [halve]\ndue: 2026-03-01T23:59:00\n", "due", "no time zone"),
    ("exercises: [halve]\npoints: 3\n", "points", "unknown field"),
    ("exercises: []\n", "exercises", "length >= 1"),
])
def test_a_bad_assignment_file_is_a_usage_error_naming_file_and_field(tmp_path, env, text, field, says):
    path = assignment(tmp_path, text)
    done = dlcheck(tmp_path, env, "grade", "--assignment", str(path), "--format", "json")
    assert done.returncode == 2
    message = json.loads(done.stdout)["error"]["message"]
    assert json.loads(done.stdout)["error"]["kind"] == "usage"
    assert message.startswith(f"{path}: field '{field}'") and says in message, message
    assert message in done.stderr.replace("\n", "")


def test_usage_errors_in_json_mode_are_json_documents(tmp_path, env):
    missing = dlcheck(tmp_path, env, "grade", "--assignment", str(tmp_path / "nope.yaml"), "--format", "json")
    assert missing.returncode == 2
    assert json.loads(missing.stdout)["error"] == {"kind": "usage", "message": f"{tmp_path / 'nope.yaml'}: no such file"}
    both = dlcheck(tmp_path, env, "grade", "halve", "--assignment", str(assignment(tmp_path)), "--format=json")
    assert both.returncode == 2 and "--assignment" in json.loads(both.stdout)["error"]["message"]
    parser = dlcheck(tmp_path, env, "grade", "--no-such-option", "--format", "json")
    assert parser.returncode == 2 and json.loads(parser.stdout)["error"]["kind"] == "usage"
    text = dlcheck(tmp_path, env, "grade", "--assignment", str(tmp_path / "nope.yaml"))
    assert text.returncode == 2 and text.stdout == "" and "no such file" in text.stderr
