"""The six symbolic exercises through the real client and worker subprocess.

All answers are judged once, two workers at a time, and the tests read the shared results.
"""

from __future__ import annotations

import pytest

from dlcheck.symbolic.client import check_symbolic

from symbolic_helpers import SYMBOLIC_EXERCISES, reference_of, request_for, run_all, spec_of

# Equivalent answers written differently from the reference, in each input style.
EQUIVALENT = {
    "conv_shape_formula": {
        "plain": "ceil((L_in + 2p - dk + d)/s)",
        "latex": r"\left\lfloor \frac{L_{in} + 2p - d(k-1) - 1}{s} + 1 \right\rfloor",
        "unicode": "⌊(L_in + 2p − d·(k − 1) − 1)/s⌋ + 1",
    },
    "kl_gaussian_1d": {
        "plain": "1/2*log(sigma_2^2/sigma_1^2) + sigma_1^2/(2 sigma_2^2) + (mu_1-mu_2)^2/(2sigma_2^2) - 0.5",
        "latex": r"\ln\sigma_2 - \ln\sigma_1 + \frac{\sigma_1^2 + (\mu_2-\mu_1)^2}{2\sigma_2^2} - \frac12",
        "unicode": "ln σ₂ − ln σ₁ + (σ₁² + (μ₂ − μ₁)²)/(2σ₂²) − ½",
    },
    "gan_optimal_discriminator": {
        "plain": "1/(1 + p_m/p_d)",
        "latex": r"D^*(x) = \frac{p_{data}}{p_{data} + p_g}",
    },
    "ddpm_posterior_mean": {
        "plain": "x_t/sqrt(alpha_t) - beta_t*epsilon/(sqrt(alpha_t)*sqrt(1-alpha_bar_t))",
        "latex": r"\mu_\theta = \frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\epsilon_\theta\right)",
        "unicode": "(x_t − β_t/√(1−ᾱ_t)·ε)/√α_t",
    },
    "sigmoid_derivative": {
        "plain": "sigma'(x) = sigma(x) - sigma(x)^2",
        "latex": r"\frac{e^{-x}}{\left(1+e^{-x}\right)^2}",
        "unicode": "σ(x)·(1 − σ(x))",
    },
    "implicit_diff_circle": {
        "plain": "x/(-y)",
        "latex": r"\frac{dy}{dx} = -\frac{x}{y}",
    },
}


def _starter_answer(exercise: str) -> str:
    """The starter with its comment lines removed, as the engine sends it."""
    lines = spec_of(exercise).starter.splitlines()
    return " ".join(line for line in lines if line.strip() and not line.lstrip().startswith("#"))


def _jobs() -> dict:
    jobs = {}
    for exercise in SYMBOLIC_EXERCISES:
        jobs[(exercise, "reference")] = reference_of(exercise)
        for style, answer in EQUIVALENT[exercise].items():
            jobs[(exercise, style)] = answer
        for mistake in spec_of(exercise).mistakes:
            jobs[(exercise, mistake.id)] = mistake.expr
        jobs[(exercise, "starter")] = _starter_answer(exercise)
    budget = {ex: spec_of(ex).time_budget_seconds for ex in SYMBOLIC_EXERCISES}
    return {key: (request_for(key[0], answer), budget[key[0]]) for key, answer in jobs.items()}


@pytest.fixture(scope="module")
def replies():
    return run_all(_jobs(), check_symbolic)


@pytest.mark.parametrize("exercise", SYMBOLIC_EXERCISES)
def test_reference_passes(exercise, replies):
    reply = replies[(exercise, "reference")]
    assert reply["status"] == "pass", reply["message"]
    assert reply["method"] in ("symbolic", "numeric")
    assert reply["read_as"] and reply["read_as_text"]
    assert reply["diagnosis"] is None and reply["counterexample"] is None


@pytest.mark.parametrize("exercise, style", [(ex, style) for ex in SYMBOLIC_EXERCISES
                                             for style in EQUIVALENT[ex]])
def test_equivalent_answers_pass_in_every_style(exercise, style, replies):
    reply = replies[(exercise, style)]
    assert reply["status"] == "pass", f"{EQUIVALENT[exercise][style]!r}: {reply['message']}"
    assert reply["method"] in ("symbolic", "numeric")


@pytest.mark.parametrize("exercise, mistake", [(ex, m.id) for ex in SYMBOLIC_EXERCISES
                                               for m in spec_of(ex).mistakes])
def test_every_mistake_fails_and_is_diagnosed_as_itself(exercise, mistake, replies):
    reply = replies[(exercise, mistake)]
    assert reply["status"] == "fail", reply["message"]
    assert reply["diagnosis"] == mistake
    assert reply["method"] == "numeric"
    counterexample = reply["counterexample"]
    assert counterexample["point"] and counterexample["answer"] != counterexample["expected"]
    assert "differs from the expected one, e.g. at" in reply["message"]


@pytest.mark.parametrize("exercise", SYMBOLIC_EXERCISES)
def test_starter_content_is_an_error(exercise, replies):
    assert _starter_answer(exercise) == ""
    reply = replies[(exercise, "starter")]
    assert reply["status"] == "error" and "empty" in reply["message"]
    assert reply["read_as"] is None


def test_counterexample_names_the_declared_symbols(replies):
    reply = replies[("conv_shape_formula", "no_floor")]
    point = reply["counterexample"]["point"]
    assert set(point) == {"L_in", "k", "s", "p", "d"}
    assert all(isinstance(v, int) for v in point.values())
    assert f"L_in = {point['L_in']}" in reply["message"]


def test_read_as_shows_accents_and_subscripts(replies):
    assert "\u03b1\u0305\u209c" in replies[("ddpm_posterior_mean", "unicode")]["read_as"]  # α̅ₜ
    assert "alpha_bar_t" in replies[("ddpm_posterior_mean", "plain")]["read_as_text"]
    assert "L\u1d62\u2099" in replies[("conv_shape_formula", "reference")]["read_as"]  # Lᵢₙ
