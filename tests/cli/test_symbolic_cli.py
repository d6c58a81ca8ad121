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


def test_a_numeric_pass_reports_what_was_observed_not_equivalence(tmp_path, env):
    done = run_cli("grade", "conv_shape_formula", "--answer", "ceil((L_in + 2p - d(k-1))/s)",
                   "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "pass" and report["method"] == "numeric"
    assert "agrees with the expected expression at 40 random points" in report["message"]
    assert "not proved symbolically" in report["message"] and "equivalent" not in report["message"]


def test_a_proved_pass_says_so(tmp_path, env):
    done = run_cli("grade", "implicit_diff_circle", "--answer", "x/(-y)", "--format", "json", cwd=tmp_path, env=env)
    report = json.loads(done.stdout)
    assert report["status"] == "pass" and report["method"] == "symbolic"
    assert "proved equal" in report["message"]


@pytest.mark.parametrize("answer", ["-x/y*(1 + 10^-12)", "-x/y + 10^(-15)*x", "-x/y + abs(x - 10^9) + x - 10^9"])
def test_answers_off_in_the_last_digits_or_beyond_the_samples_fail(tmp_path, env, answer):
    done = run_cli("grade", "implicit_diff_circle", "--answer", answer, cwd=tmp_path, env=env)
    assert done.returncode == 1 and "FAIL" in done.stdout, done.stdout
    assert "differs from the expected one" in done.stdout
