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


@pytest.mark.parametrize("exercise, answer", [
    ("implicit_diff_circle", "-x/y*(1 + 10^-12)"), ("implicit_diff_circle", "-x/y + 10^(-15)*x"),
    ("gan_optimal_discriminator", "p_d/(p_d + p_m) + floor(p_d/10^9)"),  # a step beyond any random sample
])
def test_answers_off_in_the_last_digits_or_beyond_the_samples_fail(tmp_path, env, exercise, answer):
    done = run_cli("grade", exercise, "--answer", answer, cwd=tmp_path, env=env)
    assert done.returncode == 1 and "FAIL" in done.stdout, done.stdout
    assert "differs from the expected one" in done.stdout


def _graded(exercise: str, answer: str, tmp_path, env) -> dict:
    done = run_cli("grade", exercise, "--answer", answer, "--format", "json", cwd=tmp_path, env=env)
    report = json.loads(done.stdout)
    assert done.returncode == (0 if report["status"] == "pass" else 1), done.stdout + done.stderr
    return report


@pytest.mark.parametrize("exercise, answer, status", [
    ("sigmoid_derivative", r"\frac{1 + \tanh(x/2)}{2}\cdot\frac{1 - \tanh(x/2)}{2}", "pass"),
    ("sigmoid_derivative", r"\frac{1}{4}\operatorname{sech}^2\left(\frac{x}{2}\right)", "pass"),
    ("sigmoid_derivative", "1/(4 cosh(x/2)^2)", "pass"),
    ("bce_logit_gradient", r"\frac{1 + \tanh(z/2)}{2} - y", "pass"),
    ("sigmoid_derivative", r"\frac{1}{2}\operatorname{sech}^2(x/2)", "fail"),
    ("bce_logit_gradient", "(1 - tanh(z/2))/2 - y", "fail"),
])
def test_hyperbolic_forms_are_read_and_judged(exercise, answer, status, tmp_path, env):
    report = _graded(exercise, answer, tmp_path, env)
    assert report["status"] == status, report["message"]
    if status == "fail":
        assert "differs from the expected one" in report["message"]


@pytest.mark.parametrize("exercise, answer, index_row, mistake", [
    ("wavenet_receptive_field", r"R = 1 + \sum_{l=1}^{L} 2^{l-1}", "l = 1", None),
    ("receptive_field", r"1 + \sum_{\ell=1}^{L} d\,(k-1)", "ell = 1", None),
    ("rnn_gradient_bound", r"\prod_{i=k+1}^{t} \gamma\lambda_1", "i = k + 1", None),
    ("wavenet_receptive_field", r"\sum_{l=1}^{L} 2^{l-1}", "l = 1", "missing_plus_one"),
    ("rnn_gradient_bound", r"\prod_{i=k}^{t} \gamma\lambda_1", "i = k", "one_factor_too_many"),
    ("rnn_gradient_bound", r"\sum_{i=k+1}^{t} \gamma\lambda_1", "i = k + 1", "sum_instead_of_product"),
])
def test_sum_and_product_forms_are_read_and_judged(exercise, answer, index_row, mistake, tmp_path, env):
    report = _graded(exercise, answer, tmp_path, env)
    assert index_row in report["read_as"]  # shown as the sum or product that was typed
    if mistake is None:
        assert report["status"] == "pass", report["message"]
    else:
        assert report["status"] == "fail" and report["diagnosis"]["id"] == mistake, report


def test_a_product_over_a_symbol_that_is_not_a_sequence_is_refused_by_name(tmp_path, env):
    answer = (r"\frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{1-\alpha_t}{\sqrt{1-\prod_{s=1}^{t}\alpha_s}}"
              r"\epsilon\right)")
    report = _graded("ddpm_posterior_mean", answer, tmp_path, env)
    assert report["status"] == "error"
    assert "'alpha_s' is indexed by the summation index s" in report["message"]
    assert "not supported" in report["message"] and "bracket" not in report["message"]


def test_a_log_argument_without_brackets_is_refused_with_the_fix(tmp_path, env):
    report = _graded("gaussian_entropy", r"\frac{1}{2}\ln 2\pi e\sigma^2", tmp_path, env)
    assert report["status"] == "error"
    assert r"\ln(2)·\pi e\sigma^2" in report["message"] and r"\ln(2\pi e\sigma^2)" in report["message"]
    fixed = _graded("gaussian_entropy", r"\frac{1}{2}\ln(2\pi e\sigma^2)", tmp_path, env)
    assert fixed["status"] == "pass", fixed["message"]
