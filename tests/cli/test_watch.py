"""`dlcheck watch` in a real terminal (a tmux pane): the first report, a re-grade on every save with
the progress line following, editors' temporary files ignored, the keys h, n, l, r, q, stdin that is
not a terminal, Ctrl-C, and one grader (one zygote) for the whole session. The fixture course."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from dlcheck.catalog import Course
from tests.conftest import FIXTURE_COURSE, REPO
from tests.terminal import MISSING, Pane, child_pids, command_line, find_tmux

pytestmark = pytest.mark.skipif(find_tmux() is None, reason=MISSING)

SUBMISSIONS = REPO / "tests" / "fixtures" / "submissions"
SPECS = Course(FIXTURE_COURSE).specs
TOTAL_POINTS = sum(spec.points for spec in SPECS)
HALVE = "def halve(n):\n    return n // 2\n"
DEBOUNCE_SECONDS = 0.2  # dlcheck.watch.DEBOUNCE_MS
FOOTER = re.compile(r"^keys(: h hint| off)", re.M)


@pytest.fixture
def workspace(tmp_path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def watch(tmp_path, workspace):
    """watch(*args, stdin=None) -> a Pane running `dlcheck watch ARGS` on the fixture course."""
    env = {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(workspace),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    panes = []

    def start(*args: str, stdin: str | None = None) -> Pane:
        pane = Pane(tmp_path, ["watch", *args], env, cwd=tmp_path, stdin=stdin)
        panes.append(pane)
        return pane

    yield start
    for pane in panes:
        pane.close()


def shown(pane: Pane, wanted: str, what: str = "") -> str:
    """The screen once it shows `wanted` and has been drawn to its end (the keys line comes last): a
    capture may fall in the middle of a redraw."""
    return pane.wait_for(lambda screen: wanted in screen and FOOTER.search(screen) is not None, what=what or wanted)


def save(path: Path, text: str) -> None:
    """Write a file as an editor saves it: the whole new content, then closed."""
    path.write_text(text)


def progress(screen: str) -> str:
    match = re.search(r"\d+/\d+ exercises · [\d.]+/[\d.]+ points", screen)
    assert match, f"no progress line on the screen:\n{screen}"
    return match.group(0)


def zygotes(pid: int) -> list[int]:
    return [child for child in child_pids(pid) if "dlcheck.sandbox.zygote" in command_line(child)]


def test_a_save_regrades_with_the_same_grader_and_the_progress_line_follows(watch, workspace):
    shutil.copy(SUBMISSIONS / "scaled_sum_mean.py", workspace / "scaled_sum.py")
    pane = watch("scaled_sum")
    first = shown(pane, "grade #1", what="the first report")
    assert "✗ scaled_sum: FAIL" in first and "Matches a known mistake: mean_instead_of_sum" in first
    assert "✓ pass  ✗ wrong  ! error (raised, timed out or crashed)  · not run" in first  # the strip's legend
    assert progress(first).startswith(f"0/{len(SPECS)} exercises · ")
    assert progress(first).endswith(f"/{TOTAL_POINTS:g} points")
    assert "keys: h hint · n next unfinished · l list · r re-run · q quit" in first
    zygote = zygotes(pane.pid())
    assert len(zygote) == 1, "the watch should run one zygote"

    save(workspace / "scaled_sum.py", (SUBMISSIONS / "scaled_sum_ok.py").read_text())
    fixed = shown(pane, "grade #2", what="the re-grade after saving the fix")
    assert "✓ scaled_sum: PASS   5/5 points · 9/9 cases" in fixed and "✗ scaled_sum" not in fixed
    assert progress(fixed) == f"1/{len(SPECS)} exercises · 5/{TOTAL_POINTS:g} points"
    state = json.loads((workspace / ".dlcheck" / "state.json").read_text())
    assert state["results"]["scaled_sum"]["status"] == "pass"  # recorded as `dlcheck grade` records it

    save(workspace / "scaled_sum.py", (SUBMISSIONS / "scaled_sum_raises.py").read_text())
    broken = shown(pane, "grade #3", what="the re-grade after breaking it again")
    assert "! scaled_sum: ERROR" in broken, broken
    assert progress(broken).startswith(f"0/{len(SPECS)} exercises · ")
    assert zygotes(pane.pid()) == zygote, "each save must be graded by the same zygote, not a new process"


def test_editor_temporary_files_do_not_trigger_a_grade_and_without_an_id_the_saved_file_is_followed(
        watch, workspace):
    shutil.copy(SUBMISSIONS / "scaled_sum_mean.py", workspace / "scaled_sum.py")
    pane = watch()  # no ID: it opens the file saved last, then follows every save
    assert "✗ scaled_sum: FAIL" in shown(pane, "scaled_sum · grade #1", what="the first report")
    fixed = (SUBMISSIONS / "scaled_sum_ok.py").read_text()
    for name in (".scaled_sum.py.swp", ".scaled_sum.py.swx", "scaled_sum.py~", "4913", "#scaled_sum.py#",
                 ".#scaled_sum.py", "scaled_sum.py___jb_tmp___", "scaled_sum.py___jb_old___", "scaled_sum.pyc"):
        (workspace / name).write_text(fixed)
    (workspace / ".dlcheck" / "notes.json").write_text("{}")
    time.sleep(3 * DEBOUNCE_SECONDS)  # not a wait for output: keeps the next save out of the same batch
    save(workspace / "halve.py", HALVE)
    screen = shown(pane, "✓ halve: PASS", what="the saved halve.py, graded")
    # Had any temporary file been graded, halve's grade would be #3 and scaled_sum's #2 would pass.
    assert "halve · grade #2" in screen, screen
    state = json.loads((workspace / ".dlcheck" / "state.json").read_text())
    assert state["results"]["scaled_sum"]["status"] == "fail"

    vim_save(workspace / "scaled_sum.py", fixed)  # a save by rename, back to the other exercise: one grade
    screen = shown(pane, "scaled_sum · grade #3", what="scaled_sum, saved as vim saves it")
    assert "✓ scaled_sum: PASS" in screen


def vim_save(path: Path, text: str) -> None:
    """What vim does on :w (backupcopy=auto, writebackup): probe the directory with 4913, move the file
    to its backup, write a new file, delete the backup; the swap file changes along."""
    probe, backup, swap = path.parent / "4913", path.with_name(path.name + "~"), path.parent / f".{path.name}.swp"
    probe.write_text("")
    probe.unlink()
    path.rename(backup)
    path.write_text(text)
    backup.unlink()
    swap.write_bytes(b"b0VIM 9.0")


def test_the_keys_hint_list_next_rerun_and_quit(watch, workspace):
    shutil.copy(SUBMISSIONS / "scaled_sum_ok.py", workspace / "scaled_sum.py")
    pane = watch("scaled_sum")
    shown(pane, "grade #1", what="the first report")
    hints = next(spec.hints for spec in SPECS if spec.id == "scaled_sum")

    pane.keys("h")
    screen = shown(pane, f"Hint 1/{len(hints)}: {hints[0]}")
    assert "✓ scaled_sum: PASS" in screen  # under the report, which stays
    pane.keys("h")
    screen = shown(pane, f"Hint 2/{len(hints)}: {hints[1]}")
    assert "That was the last hint." in screen
    assert json.loads((workspace / ".dlcheck" / "state.json").read_text())["hints"] == {"scaled_sum": 2}

    pane.keys("l")
    screen = shown(pane, "Start one with dlcheck start ID.", what="the list")
    assert re.search(r"scaled_sum +Scaled sum +code +5/5 +passed", screen)  # `dlcheck list`'s columns, points included
    assert re.search(r"halve +Integer halving +code +2 +not started", screen)

    pane.keys("r")
    assert "✓ scaled_sum: PASS" in shown(pane, "grade #2", what="the re-run")

    pane.keys("n")  # scaled_sum passes: the next unfinished one in syllabus order is square_grad, not started
    screen = shown(pane, "(the starter)", what="the next exercise")
    starter = workspace / "square_grad.py"
    assert starter.read_text() == next(spec.starter for spec in SPECS if spec.id == "square_grad")
    assert "dlcheck watch · square_grad" in screen and "Gradient of a sum of squares, by hand" in screen

    save(starter, (SUBMISSIONS / "square_grad_ok.py").read_text())  # with an ID, `n` moved what is followed
    screen = shown(pane, "✓ square_grad: PASS", what="the next exercise, graded on save")
    assert progress(screen).startswith(f"2/{len(SPECS)} exercises")

    starter.unlink()  # what would stop `dlcheck grade` with a message is shown, and the watch goes on
    pane.keys("r")
    screen = re.sub(r"\s+", "", shown(pane, "error: no file for square_grad"))  # the long path wraps
    assert "square_grad.py);itisgradedonceitissaved." in screen

    pane.keys("q")
    assert pane.exit_code() == 0
    screen = pane.screen()
    assert "Traceback" not in screen
    assert re.search(r"^icanon$", screen, re.M), f"the terminal was left in cbreak mode:\n{screen}"


def test_without_a_terminal_on_stdin_it_still_watches_and_ctrl_c_stops_it_cleanly(watch, workspace):
    shutil.copy(SUBMISSIONS / "scaled_sum_mean.py", workspace / "scaled_sum.py")
    pane = watch("scaled_sum", stdin="/dev/null")
    screen = shown(pane, "grade #1", what="the first report")
    assert "keys off (stdin is not a terminal); Ctrl-C stops watching" in screen
    save(workspace / "scaled_sum.py", (SUBMISSIONS / "scaled_sum_ok.py").read_text())
    assert "✓ scaled_sum: PASS" in shown(pane, "grade #2", what="the re-grade")
    watcher = pane.pid()
    zygote = zygotes(watcher)
    pane.keys("C-c")
    assert pane.exit_code() == 130
    screen = pane.screen()
    assert "Stopped watching." in screen and "Traceback" not in screen and "KeyboardInterrupt" not in screen
    assert zygote and all(ends_soon(pid) for pid in zygote), "the zygote outlived the watch"


def ends_soon(pid: int, timeout: float = 30) -> bool:
    """Whether the process is gone (or a zombie waiting for its new parent) within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


def test_a_workspace_that_does_not_exist_is_a_usage_error(tmp_path):
    from tests.conftest import run_cli

    done = run_cli("watch", cwd=tmp_path, env={"DLCHECK_COURSE": str(FIXTURE_COURSE),
                                                "DLCHECK_WORKSPACE": str(tmp_path / "nowhere")})
    assert done.returncode == 2 and "No workspace at" in done.stderr and "dlcheck start ID" in done.stderr
    missing = run_cli("watch", "halve", cwd=tmp_path, env={"DLCHECK_COURSE": str(FIXTURE_COURSE),
                                                            "DLCHECK_WORKSPACE": str(tmp_path / "nowhere")})
    assert missing.returncode == 2 and "No submission for 'halve'" in missing.stderr
