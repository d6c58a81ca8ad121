"""A known mistake stays named when some cases crash, time out or hit a limit (issue 10), through the
real CLI on the fixture course.

scaled_sum has nine cases, run in this order in one worker: 'single element', four public random
ones, four hidden ones. The submissions below make forgot_alpha's mistake (the sum, not scaled by
alpha) and break down on the N-th call, counted in the worker, so which case breaks down does not
depend on the hidden draws. A run stops at a crash, a timeout or a sandbox limit; the cases after
it are not run, and they count against the majority a diagnosis needs, as cases that raised do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_feedback_shown import env_for, screen_words
from tests.conftest import run_cli

BREAKS_DOWN = {
    "crashes": "import os\n        os._exit(3)",
    "loops": "while True:\n            pass",
    "runs out of memory": "import torch\n        torch.empty(64 * 1024**3, dtype=torch.uint8).sum()",
    "raises": "raise ValueError('not this one')",
}


def forgot_alpha_until(call: int, how: str, every_call_after: bool = False) -> str:
    compare = ">=" if every_call_after else "=="
    return (f"_calls = [0]\n\n\ndef scaled_sum(x, alpha):\n    _calls[0] += 1\n"
            f"    if _calls[0] {compare} {call}:\n        {BREAKS_DOWN[how]}\n    return x.sum(dim=-1)\n")


def grade(tmp_path: Path, source: str, *extra: str):
    (tmp_path / "ws").mkdir(exist_ok=True)
    (tmp_path / "ws" / "scaled_sum.py").write_text(source)
    return run_cli("grade", "scaled_sum", *extra, cwd=tmp_path, env=env_for(tmp_path))


def graded_json(tmp_path: Path, source: str) -> dict:
    done = grade(tmp_path, source, "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("how, call, cases, phrase", [
    ("crashes", 9, {"matched": 8, "raised": 0, "stopped": 1, "not_run": 0},
     "on case 'hidden #4' your code crashed (the process running it ended), and the run stopped there"),
    ("loops", 7, {"matched": 6, "raised": 0, "stopped": 1, "not_run": 2},
     "on case 'hidden #2' your code ran out of time, and the run stopped there: the 2 cases after it were not run"),
    ("runs out of memory", 8, {"matched": 7, "raised": 1, "stopped": 0, "not_run": 1},
     "on case 'hidden #3' your code hit a sandbox limit, and the run stopped there: the 1 case after it was not run"),
], ids=["os-exit", "timeout", "memory-limit"])
def test_a_known_mistake_is_named_though_the_run_stopped_on_a_later_case(tmp_path, how, call, cases, phrase):
    result = graded_json(tmp_path, forgot_alpha_until(call, how))
    assert result["status"] == "fail"  # the first case is forgot_alpha's wrong answer: still a fail, never a pass
    diagnosis = result["diagnosis"]
    assert diagnosis is not None and diagnosis["id"] == "forgot_alpha", result["message"]
    assert diagnosis["cases"] == {"total": 9, "not_compared": 0, **cases}
    assert diagnosis["observed"].startswith(f"Your results match what the known mistake 'forgot_alpha' gives, "
                                            f"on {cases['matched']} of 9 cases;")
    assert phrase in diagnosis["observed"]


def test_the_text_report_names_the_mistake_and_the_case_that_stopped_the_run(tmp_path):
    done = grade(tmp_path, forgot_alpha_until(9, "crashes"))
    words = screen_words(done.stdout)
    assert done.returncode == 1 and "FAIL" in words
    assert "Matches a known mistake: forgot_alpha" in words, done.stdout
    assert "on 8 of 9 cases; on case 'hidden #4' your code crashed" in words
    assert "You summed but forgot to scale by alpha." in words


def test_cases_that_raise_are_counted_and_said_so(tmp_path):
    result = graded_json(tmp_path, forgot_alpha_until(6, "raises", every_call_after=True))
    assert result["diagnosis"]["id"] == "forgot_alpha"
    assert result["diagnosis"]["cases"] == {"matched": 5, "total": 9, "raised": 4, "not_compared": 0,
                                            "stopped": 0, "not_run": 0}
    assert "on 5 of 9 cases; on 4 other cases your code raised an exception" in result["diagnosis"]["observed"]


@pytest.mark.parametrize("how", ["crashes", "loops"])
def test_a_run_that_stops_before_most_cases_names_no_mistake(tmp_path, how):
    result = graded_json(tmp_path, forgot_alpha_until(5, how))  # four cases seen: not a majority of nine
    assert result["status"] != "pass" and result["diagnosis"] is None


def test_the_diagnosis_stays_valid_under_the_published_schema(tmp_path):
    import jsonschema

    schema = json.loads(run_cli("schema", cwd=tmp_path).stdout)
    jsonschema.Draft202012Validator(schema).validate(graded_json(tmp_path, forgot_alpha_until(7, "loops")))
