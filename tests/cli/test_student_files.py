"""Student-controlled paths through the real CLI: links, odd files and dlcheck's own state.

A submission is whatever the student's file holds, never what it points at: a link to a reference
would otherwise be graded as the student's own work. Each refusal is an `error` result (exit 1)
naming the reason, and nothing outside the workspace is ever written.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, run_cli

SUBMISSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "submissions"
REFERENCE = FIXTURE_COURSE / "solutions" / "scaled_sum.py"


@pytest.fixture
def ws(tmp_path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    return workspace


def grade(tmp_path, *args):
    env = {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return run_cli("grade", *args, "--format", "json", cwd=tmp_path, env=env)


def refused(done, *fragments: str) -> dict:
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "error"
    assert any(f in result["message"] for f in fragments), result["message"]
    assert "return alpha" not in done.stdout + done.stderr  # the reference's text never shows
    return result


def test_a_symlink_to_the_reference_is_refused(tmp_path, ws):
    (ws / "scaled_sum.py").symlink_to(REFERENCE)
    refused(grade(tmp_path, "scaled_sum"), "symbolic link")


def test_a_symlinked_file_given_with_file_is_refused(tmp_path, ws):
    link = tmp_path / "mine.py"
    link.symlink_to(REFERENCE)
    refused(grade(tmp_path, "scaled_sum", "--file", str(link)), "symbolic link")


def test_a_hard_link_to_the_reference_is_refused(tmp_path, ws):
    try:
        os.link(REFERENCE, ws / "scaled_sum.py")
    except OSError as exc:  # another filesystem: the attack is impossible here
        pytest.skip(f"cannot hard-link across filesystems here: {exc}")
    refused(grade(tmp_path, "scaled_sum"), "hard link")


def test_the_course_reference_named_with_file_is_refused(tmp_path, ws):
    refused(grade(tmp_path, "scaled_sum", "--file", str(REFERENCE)), "reference files")


def test_a_reference_reached_through_a_symlinked_directory_is_refused(tmp_path, ws):
    (tmp_path / "sneaky").symlink_to(REFERENCE.parent)
    refused(grade(tmp_path, "scaled_sum", "--file", str(tmp_path / "sneaky" / "scaled_sum.py")), "reference files")


def test_a_fifo_or_a_directory_is_not_a_submission(tmp_path, ws):
    os.mkfifo(ws / "scaled_sum.py")
    refused(grade(tmp_path, "scaled_sum"), "not a regular file")
    os.unlink(ws / "scaled_sum.py")
    (ws / "scaled_sum.py").mkdir()
    refused(grade(tmp_path, "scaled_sum"), "not a regular file")


def test_a_symbolic_answer_file_that_is_a_link_is_refused(tmp_path, ws):
    env_course = Path(__file__).resolve().parents[2]
    (ws / "gan_optimal_discriminator.txt").symlink_to(env_course / "solutions" / "gan_optimal_discriminator.txt")
    env = {"DLCHECK_COURSE": str(env_course), "DLCHECK_WORKSPACE": str(ws), "XDG_CACHE_HOME": str(tmp_path / "c")}
    done = run_cli("grade", "gan_optimal_discriminator", "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "symbolic link" in json.loads(done.stdout)["message"]


def test_state_files_that_are_links_are_never_written_through(tmp_path, ws):
    shutil.copy(SUBMISSIONS / "scaled_sum_ok.py", ws / "scaled_sum.py")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    state_dir = ws / ".dlcheck"
    state_dir.mkdir()
    (state_dir / "state.tmp").symlink_to(victim)  # the old fixed temporary name
    (state_dir / "state.json").symlink_to(victim)
    done = grade(tmp_path, "scaled_sum")
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious"
    assert not (state_dir / "state.json").is_symlink()  # replaced by dlcheck's own file
    assert json.loads((state_dir / "state.json").read_text())["results"]["scaled_sum"]["status"] == "pass"


def test_a_linked_state_directory_is_left_alone(tmp_path, ws):
    shutil.copy(SUBMISSIONS / "scaled_sum_ok.py", ws / "scaled_sum.py")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (ws / ".dlcheck").symlink_to(elsewhere)
    done = grade(tmp_path, "scaled_sum")
    assert done.returncode == 0, done.stderr
    assert list(elsewhere.iterdir()) == []


def test_start_never_writes_through_a_link(tmp_path, ws):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (ws / "scaled_sum.py").symlink_to(victim)
    env = {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(ws), "XDG_CACHE_HOME": str(tmp_path / "c")}
    done = run_cli("start", "scaled_sum", "--force", cwd=tmp_path, env=env)
    assert done.returncode == 2 and "symbolic link" in done.stderr
    assert victim.read_text() == "precious"
