"""What `dlcheck grade` shows while and after it grades: a spinner on a terminal's stderr (never a byte
of it in JSON or piped output), and the legend under the case strip. The fixture course."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from dlcheck.report import CASE_MEANING, STATUS_STYLE
from tests.conftest import FIXTURE_COURSE, REPO, run_cli
from tests.terminal import MISSING, Pane, find_tmux

SUBMISSIONS = REPO / "tests" / "fixtures" / "submissions"
SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"  # Rich's "dots", the spinner grading_status shows
LEGEND = "✓ pass  ✗ wrong  ! error (raised, timed out or crashed)  · not run"


@pytest.fixture
def env(tmp_path):
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
            "COLUMNS": "120", "XDG_CACHE_HOME": str(tmp_path / "cache")}


def put(tmp_path, exercise_id: str, submission: str) -> None:
    (tmp_path / "ws").mkdir(exist_ok=True)
    shutil.copy(SUBMISSIONS / f"{submission}.py", tmp_path / "ws" / f"{exercise_id}.py")


def strip_marks(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if line.startswith("cases: "))
    return re.sub(r"cases: |  hidden: ", "", line)


@pytest.mark.parametrize("submission, marks", [("scaled_sum_mean", "✓✗"), ("scaled_sum_hangs", "!·")])
def test_the_legend_under_the_case_strip_explains_every_mark_on_it(tmp_path, env, submission, marks):
    put(tmp_path, "scaled_sum", submission)
    done = run_cli("grade", "scaled_sum", cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    strip = next(i for i, line in enumerate(lines) if line.startswith("cases: "))
    assert lines[strip + 1] == LEGEND
    assert set(strip_marks(done.stdout)) == set(marks)  # both kinds of mark are really on this strip
    explained = {STATUS_STYLE[status][0] for status in CASE_MEANING}
    assert set(marks) <= explained


@pytest.mark.parametrize("args", [["--format", "json"], [], ["--all"], ["--format", "junit"]])
def test_no_spinner_byte_when_the_output_is_piped_or_for_machines(tmp_path, env, args):
    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    done = run_cli("grade", *(["scaled_sum"] if "--all" not in args else []), *args, cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    for stream in (done.stdout, done.stderr):
        assert not set(SPINNER_FRAMES) & set(stream) and "grading scaled_sum" not in stream
        assert "\x1b" not in stream  # no cursor movement or colour either
    if args[:2] == ["--format", "json"]:
        assert json.loads(done.stdout)["status"] == "fail"


@pytest.mark.skipif(find_tmux() is None, reason=MISSING)
def test_a_terminal_sees_a_spinner_while_a_loop_runs_into_its_time_limit(tmp_path, env):
    put(tmp_path, "scaled_sum", "scaled_sum_hangs")  # each case may take 2 s: the spinner shows meanwhile
    del env["COLUMNS"]
    pane = Pane(tmp_path, ["grade", "scaled_sum"], env, cwd=tmp_path, stdout=str(tmp_path / "report.txt"))
    try:
        busy = pane.wait_for(lambda s: re.search(rf"[{SPINNER_FRAMES}] grading scaled_sum +0:00:\d\d", s) is not None,
                             what="the spinner with the elapsed time")
        assert "scaled_sum: ERROR" not in busy
        assert pane.exit_code() == 1
        assert "grading scaled_sum" not in pane.screen()  # transient: gone once the report is out
    finally:
        pane.close()
    report = (tmp_path / "report.txt").read_text()
    assert "! scaled_sum: ERROR" in report and not set(SPINNER_FRAMES) & set(report)
