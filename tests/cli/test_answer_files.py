"""Symbolic answer files (issue 10): scratch lines, saving a passing --answer, both .txt and .tex,
a UTF-8 byte-order mark. Through the real CLI on real files: the real course's symbolic exercises,
the fixture course for code."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_feedback_shown import screen_words
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

RIGHT = "p_d/(p_d + p_m)"  # gan_optimal_discriminator
WRONG = "p_m/(p_d + p_m)"  # its mistake swapped_densities
BOM = "\ufeff"


@pytest.fixture
def env(tmp_path):
    return {"DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(tmp_path / "ws"), "COLUMNS": "120",
            "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture
def ws(tmp_path) -> Path:
    (tmp_path / "ws").mkdir()
    return tmp_path / "ws"


def grade(tmp_path: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return run_cli("grade", *args, cwd=tmp_path, env=env)


def graded_json(tmp_path: Path, env: dict, *args: str) -> dict:
    done = grade(tmp_path, env, *args, "--format", "json")
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


# ---------------------------------------------------------------- scratch lines above the answer

def test_a_scratch_line_above_the_right_answer_does_not_turn_it_wrong(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.txt").write_text(f"# my working\n{WRONG}\n\n{RIGHT}\n")
    result = graded_json(tmp_path, env, "gan_optimal_discriminator")
    assert result["status"] == "pass", result["message"]
    assert result["notes"] == ["Graded line 4 of ws/gan_optimal_discriminator.txt as your answer; line 2 above it "
                               "was ignored as scratch (put scratch in '#' comments to silence this note)."]
    text = grade(tmp_path, env, "gan_optimal_discriminator")
    assert text.returncode == 0 and "PASS" in text.stdout
    assert "line 2 above it was ignored as scratch" in screen_words(text.stdout), text.stdout


def test_the_last_line_is_the_answer_even_when_a_right_one_is_above_it(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.txt").write_text(f"{RIGHT}\n{WRONG}\n")
    result = graded_json(tmp_path, env, "gan_optimal_discriminator")
    assert result["status"] == "fail" and result["diagnosis"]["id"] == "swapped_densities"
    assert "line 1 above it was ignored as scratch" in result["notes"][0]


def test_one_answer_line_has_no_note(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.txt").write_text(f"# D*(x):\n{RIGHT}\n")
    result = graded_json(tmp_path, env, "gan_optimal_discriminator")
    assert result["status"] == "pass" and "notes" not in result


def test_a_tex_expression_over_several_lines_is_still_one_answer(tmp_path, env, ws):
    (ws / "ddpm_posterior_mean.tex").write_text(
        "% my derivation\n"
        "\\frac{1}{\\sqrt{\\alpha_t}}\\left(x_t\n"
        "  - \\frac{1-\\alpha_t}{\\sqrt{1-\\bar{\\alpha}_t}}\n"
        "  \\epsilon\\right)\n")
    result = graded_json(tmp_path, env, "ddpm_posterior_mean")
    assert result["status"] == "pass", result["message"]
    assert "notes" not in result


def test_tex_scratch_above_a_multi_line_answer_is_ignored_and_named(tmp_path, env, ws):
    (ws / "ddpm_posterior_mean.tex").write_text(
        "\\frac{1}{\\sqrt{\\alpha_t}}(x_t - \\epsilon)\n"  # a first try: scratch
        "\\frac{1}{\\sqrt{\\alpha_t}} \\left( x_t -\n"
        "  \\frac{1-\\alpha_t}{\\sqrt{1-\\bar{\\alpha}_t}} \\epsilon \\right)\n")
    result = graded_json(tmp_path, env, "ddpm_posterior_mean")
    assert result["status"] == "pass", result["message"]
    assert result["notes"] == ["Graded lines 2-3 of ws/ddpm_posterior_mean.tex as your answer; line 1 above it "
                               "was ignored as scratch (put scratch in '%' comments to silence this note)."]


def test_a_line_ending_in_an_operator_continues_on_the_next(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.tex").write_text("D^*(x) =\n\\frac{p_d}{p_d + p_m}\n")
    result = graded_json(tmp_path, env, "gan_optimal_discriminator")
    assert result["status"] == "pass" and "notes" not in result, result


# ---------------------------------------------------------------- a passing --answer is saved

def test_a_passing_answer_is_saved_to_the_workspace_file(tmp_path, env, ws):
    done = grade(tmp_path, env, "gan_optimal_discriminator", "--answer", RIGHT)
    assert done.returncode == 0, done.stdout + done.stderr
    saved = ws / "gan_optimal_discriminator.txt"
    assert saved.read_text().splitlines()[-1] == RIGHT
    assert "Saved your answer to ws/gan_optimal_discriminator.txt" in screen_words(done.stdout)
    again = graded_json(tmp_path, env, "gan_optimal_discriminator")  # the file alone now passes
    assert again["status"] == "pass" and again["submission"] == "ws/gan_optimal_discriminator.txt"
    listed = json.loads(run_cli("list", "--format", "json", cwd=tmp_path, env=env).stdout)
    assert {r["id"]: r["status"] for r in listed["exercises"]}["gan_optimal_discriminator"] == "passed"


def test_a_failing_answer_is_not_saved(tmp_path, env, ws):
    assert grade(tmp_path, env, "gan_optimal_discriminator", "--answer", WRONG).returncode == 1
    assert not (ws / "gan_optimal_discriminator.txt").exists()


def test_the_starter_file_gets_the_answer_under_its_comments(tmp_path, env, ws):
    assert run_cli("start", "gan_optimal_discriminator", cwd=tmp_path, env=env).returncode == 0
    starter = (ws / "gan_optimal_discriminator.txt").read_text()
    assert grade(tmp_path, env, "gan_optimal_discriminator", "--answer", RIGHT).returncode == 0
    assert (ws / "gan_optimal_discriminator.txt").read_text() == starter + RIGHT + "\n"


def test_the_same_answer_already_there_is_left_alone(tmp_path, env, ws):
    saved = ws / "gan_optimal_discriminator.txt"
    saved.write_text(f"# mine\n{RIGHT}\n")
    before = saved.stat().st_mtime_ns
    done = grade(tmp_path, env, "gan_optimal_discriminator", "--answer", RIGHT.replace(" ", ""))
    assert done.returncode == 0
    assert saved.stat().st_mtime_ns == before and "already holds this answer" in screen_words(done.stdout)


def test_without_a_terminal_a_different_answer_is_not_overwritten(tmp_path, env, ws):
    saved = ws / "gan_optimal_discriminator.txt"
    saved.write_text(f"# mine\n{WRONG}\n")
    done = grade(tmp_path, env, "gan_optimal_discriminator", "--answer", "\\frac{p_d}{p_d + p_m}")
    assert done.returncode == 0
    assert saved.read_text() == f"# mine\n{WRONG}\n"
    words = screen_words(done.stdout)
    assert (f"Not saved: ws/gan_optimal_discriminator.txt already holds another answer ({WRONG}). To keep this one, "
            f"put it on the last line of that file, or run this again in a terminal to be asked.") in words, words


def test_a_linked_workspace_file_is_never_written_through(tmp_path, env, ws):
    target = tmp_path / "elsewhere.txt"
    target.write_text("# not yours\n")
    (ws / "gan_optimal_discriminator.txt").symlink_to(target)
    done = grade(tmp_path, env, "gan_optimal_discriminator", "--answer", RIGHT)
    assert done.returncode == 0
    assert target.read_text() == "# not yours\n"
    assert "Not saved" in done.stdout and "symbolic link" in done.stdout


def test_json_output_stays_a_document_and_the_save_is_said_on_stderr(tmp_path, env, ws):
    done = grade(tmp_path, env, "gan_optimal_discriminator", "--answer", RIGHT, "--format", "json")
    assert json.loads(done.stdout)["status"] == "pass"
    assert "Saved your answer to" in done.stderr
    assert (ws / "gan_optimal_discriminator.txt").read_text().splitlines()[-1] == RIGHT


def run_in_a_terminal(args: list[str], cwd: Path, env: dict, reply: bytes | None, timeout: float = 120) -> str:
    """The command with a pseudo-terminal as stdin, stdout and stderr; `reply` is typed at its question."""
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "dlcheck", *args], cwd=cwd, env={**os.environ, **env},
                               stdin=child, stdout=child, stderr=child, close_fds=True)
    os.close(child)
    seen, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if reply is not None and b"[y/N]" in seen:
                    os.write(main, reply)
                    reply = None
            elif process.poll() is not None:
                break
        assert process.wait(timeout=max(1.0, deadline - time.monotonic())) == 0, seen.decode(errors="replace")
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode(errors="replace").replace("\r\n", "\n"))


@pytest.mark.parametrize("reply, kept", [(b"y\n", RIGHT), (b"\n", WRONG)], ids=["yes", "no"])
def test_in_a_terminal_overwriting_a_different_answer_is_asked(tmp_path, env, ws, reply, kept):
    saved = ws / "gan_optimal_discriminator.txt"
    saved.write_text(f"# mine\n{WRONG}\n")
    screen = run_in_a_terminal(["grade", "gan_optimal_discriminator", "--answer", RIGHT], tmp_path, env, reply)
    assert "ws/gan_optimal_discriminator.txt holds another answer" in screen_words(screen), screen
    assert saved.read_text() == f"# mine\n{kept}\n"
    assert ("Saved your answer to" if kept == RIGHT else "Not saved") in screen


# ---------------------------------------------------------------- both .txt and .tex

def test_both_answer_files_are_refused_by_name(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.txt").write_text(f"{RIGHT}\n")
    (ws / "gan_optimal_discriminator.tex").write_text("\\frac{p_m}{p_d + p_m}\n")
    done = grade(tmp_path, env, "gan_optimal_discriminator")
    assert done.returncode == 2
    message = screen_words(done.stderr)
    assert "ws/gan_optimal_discriminator.txt" in message and "ws/gan_optimal_discriminator.tex" in message
    assert "delete one" in message, message
    data = grade(tmp_path, env, "gan_optimal_discriminator", "--format", "json")
    assert data.returncode == 2 and json.loads(data.stdout)["error"]["kind"] == "usage"


def test_both_answer_files_are_one_error_result_in_grade_all(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.txt").write_text(f"{RIGHT}\n")
    (ws / "gan_optimal_discriminator.tex").write_text("\\frac{p_d}{p_d + p_m}\n")
    (ws / "sigmoid_derivative.txt").write_text("sigma(x)*(1 - sigma(x))\n")
    done = grade(tmp_path, env, "--all", "--format", "json")
    assert done.returncode == 1, done.stderr
    results = {r["exercise"]: r for r in json.loads(done.stdout)["results"]}
    assert results["sigmoid_derivative"]["status"] == "pass"
    both = results["gan_optimal_discriminator"]
    assert both["status"] == "error" and "delete one" in both["message"]
    assert "gan_optimal_discriminator.txt" in both["message"] and "gan_optimal_discriminator.tex" in both["message"]


def test_both_answer_files_are_one_error_result_in_an_assignment(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.txt").write_text(f"{RIGHT}\n")
    (ws / "gan_optimal_discriminator.tex").write_text("\\frac{p_d}{p_d + p_m}\n")
    (tmp_path / "week.yaml").write_text("name: Week\nexercises:\n  - gan_optimal_discriminator\n  - sigmoid_derivative\n")
    done = grade(tmp_path, env, "--assignment", str(tmp_path / "week.yaml"), "--format", "json")
    results = {r["exercise"]: r for r in json.loads(done.stdout)["results"]}
    assert results["gan_optimal_discriminator"]["status"] == "error"
    assert "delete one" in results["gan_optimal_discriminator"]["message"]
    assert results["sigmoid_derivative"]["status"] == "missing"


def test_both_answer_files_in_a_batch_are_one_error_result(tmp_path, env):
    student = tmp_path / "class" / "ann"
    student.mkdir(parents=True)
    (student / "gan_optimal_discriminator.txt").write_text(f"{RIGHT}\n")
    (student / "gan_optimal_discriminator.tex").write_text("\\frac{p_d}{p_d + p_m}\n")
    (student / "sigmoid_derivative.txt").write_text("sigma(x)*(1 - sigma(x))\n")
    (tmp_path / "week.yaml").write_text("name: Week\nexercises:\n  - gan_optimal_discriminator\n  - sigmoid_derivative\n")
    done = run_cli("batch", str(tmp_path / "class"), "--assignment", str(tmp_path / "week.yaml"), "--out",
                   str(tmp_path / "out"), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads((tmp_path / "out" / "students" / "ann" / "results.json").read_text())
    results = {r["exercise"]: r for r in document["results"]}
    assert results["sigmoid_derivative"]["status"] == "pass"
    both = results["gan_optimal_discriminator"]
    assert both["status"] == "error"
    assert "gan_optimal_discriminator.txt" in both["message"] and "gan_optimal_discriminator.tex" in both["message"]


# ---------------------------------------------------------------- a UTF-8 byte-order mark

def test_a_byte_order_mark_is_accepted_in_an_answer_file(tmp_path, env, ws):
    (ws / "gan_optimal_discriminator.txt").write_bytes(f"{BOM}{RIGHT}\r\n".encode())
    result = graded_json(tmp_path, env, "gan_optimal_discriminator")
    assert result["status"] == "pass", result["message"]


def test_a_byte_order_mark_is_accepted_in_a_python_file_and_line_numbers_stay(tmp_path, ws):
    env = {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(ws), "COLUMNS": "120"}
    source = "import torch\r\n\r\ndef scaled_sum(x, alpha):\r\n    return alpha * x.sum(dim=-1)\r\n"
    (ws / "scaled_sum.py").write_bytes((BOM + source).encode())
    assert graded_json(tmp_path, env, "scaled_sum")["status"] == "pass"
    (ws / "scaled_sum.py").write_bytes((BOM + source.replace("x.sum(dim=-1)", "x.sum(dim=5)")).encode())
    result = graded_json(tmp_path, env, "scaled_sum")
    assert result["status"] == "error"
    assert [f["line"] for f in result["failure"]["error"]["frames"]] == [4]
    (ws / "scaled_sum.py").write_bytes((BOM + "def scaled_sum(x, alpha)\n    return x\n").encode())
    syntax = graded_json(tmp_path, env, "scaled_sum")
    assert "line 1" in syntax["message"] and "\ufeff" not in syntax["message"]
