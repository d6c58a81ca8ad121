"""Symbolic exercises through the real command line: --answer, .txt and .tex files, JSON."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_cli


@pytest.fixture
def env(tmp_path):
    return {"DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(tmp_path / "ws"), "COLUMNS": "120",
            "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_latex_answer_passes_and_shows_how_it_was_read(tmp_path, env):
    done = run_cli("grade", "gan_optimal_discriminator", "--answer", r"\frac{p_d}{p_d + p_m}", cwd=tmp_path, env=env)
    assert done.returncode == 0
    assert "PASS" in done.stdout and "I read your answer as" in done.stdout


def test_notes_typo_is_named_in_json(tmp_path, env):
    answer = r"\frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{1-\alpha_t}{\sqrt{1-\alpha_t}}\epsilon\right)"
    done = run_cli("grade", "ddpm_posterior_mean", "--answer", answer, "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["status"] == "fail" and report["kind"] == "symbolic"
    assert report["diagnosis"]["id"] == "sqrt_one_minus_alpha"
    assert report["read_as"] and report["method"] == "numeric"


def test_tex_file_with_comments_is_graded(tmp_path, env):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "conv_shape_formula.tex").write_text(
        "% my derivation\n\\left\\lfloor \\frac{L_{in} + 2p - d(k-1) - 1}{s} \\right\\rfloor + 1\n")
    done = run_cli("grade", "conv_shape_formula", "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["status"] == "pass"


def test_started_but_empty_answer_is_an_error_not_a_pass(tmp_path, env):
    assert run_cli("start", "sigmoid_derivative", cwd=tmp_path, env=env).returncode == 0
    assert (tmp_path / "ws" / "sigmoid_derivative.txt").is_file()
    done = run_cli("grade", "sigmoid_derivative", "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert json.loads(done.stdout)["status"] == "error"


def test_syntax_errors_and_unknown_symbols_get_clear_messages(tmp_path, env):
    unclosed = run_cli("grade", "sigmoid_derivative", "--answer", "sigma(x)(1-sigma(x)", cwd=tmp_path, env=env)
    assert unclosed.returncode == 1 and "never closed" in unclosed.stdout
    unknown = run_cli("grade", "conv_shape_formula", "--answer", "floor((Lin + 2p - d(k-1) - 1)/s) + 1",
                      "--format", "json", cwd=tmp_path, env=env)
    report = json.loads(unknown.stdout)
    assert report["status"] == "error" and "L_in" in report["message"]
