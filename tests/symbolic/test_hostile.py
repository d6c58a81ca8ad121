"""Hostile input through the real worker: a clear error (or a fail), quickly, and never a pass."""

from __future__ import annotations

import time

import pytest

from dlcheck.symbolic.client import check_symbolic

from symbolic_helpers import free_xy_request, request_for, run_all

BUDGET = 8.0
HOSTILE = {
    "python_call": "__import__('os').system('x')",
    "attribute_access": "x.y",
    "power_tower": "9**9**9**9",
    "factorial": "factorial(10**7)",
    "nested_parentheses": "(" * 2400 + "x" + ")" * 2400,
    "deep_but_short": "(" * 500 + "x" + ")" * 500,
    "megabyte": "x" * (1 << 20),
    "malformed_latex": r"\frac{x}{",
    "unbalanced_left": r"\left( x",
    "unknown_command": r"\input{/etc/passwd}",
    "fullwidth_wrong": "ｘ／ｙ",
    "cyrillic_lookalike": "-х/y",
    "unicode_operators_wrong": "x·y × 2 − 1",
    "greek_not_declared": "σ(x) + α + ᾱ",
    "huge_expansion": "(x + y + 1)^1000 - (x + y)^1000",
    "exponential_tower": "exp(exp(exp(exp(x))))",
    "constant_exponential_tower": "-x/y + exp(exp(exp(exp(10))))",
    "far_step_in_a_tower": "-x/y + floor(x^(x^(x^x))/10^9)",
    "symbolic_power_tower": "x^(x^(x^(x^x)))",
    "big_root": "sqrt(10^999 + 1)",
    "control_characters": "x\x00/y",
    "shell_text": "x; rm -rf /",
    "string_literal": "'-x/y'",
    "hyperbolic_tower": "cosh(cosh(cosh(cosh(x))))",
    "hyperbolic_of_a_huge_argument": r"\sinh(10^{300} x) - \tanh(10^{300} y)",
    "sum_with_a_real_bound": r"\sum_{i=1}^{x} i",
}
# Sums and products need whole-number bounds: these are judged on wavenet_receptive_field (L >= 1).
HOSTILE_SUMS = {
    "huge_numeric_sum": r"\sum_{i=1}^{10^{12}} i",
    "huge_symbolic_bound": r"\sum_{i=1}^{L^{100}} \log(i)",
    "nested_sums": r"\sum_{i=1}^{L}\sum_{j=1}^{L}\sum_{k=1}^{L}\sum_{m=1}^{L} \log(i + j + k + m)",
    "deeply_nested_sums": r"\sum_{i=1}^{L}" * 60 + "1",
    "factorial_product": r"\prod_{i=1}^{L} i",
    "harmonic_sum": r"\sum_{i=1}^{L} \frac{1}{i}",
    "power_sum": r"\sum_{i=1}^{L} i^{1000}",
    "product_of_huge_factors": r"\prod_{i=1}^{L} 10^{999}",
    "sum_of_a_tower": r"\sum_{i=1}^{L} \exp(\exp(\exp(i)))",
    "sum_to_infinity": r"\sum_{i=0}^{\infty} 2^{-i}",
}


LOOKALIKES = {"fullwidth_wrong"}


@pytest.fixture(scope="module")
def timed_replies():
    def timed(request):
        started = time.monotonic()
        reply = check_symbolic(request, BUDGET)
        return reply, time.monotonic() - started

    # Answers read against two free reals; lookalikes against the exercise, whose mistakes name them.
    jobs = {name: (dict(request_for("implicit_diff_circle", text) if name in LOOKALIKES else free_xy_request(text),
                        budget_seconds=BUDGET),)
            for name, text in HOSTILE.items()}
    jobs |= {name: (dict(request_for("wavenet_receptive_field", text), budget_seconds=BUDGET),)
             for name, text in HOSTILE_SUMS.items()}
    return run_all(jobs, timed)


@pytest.mark.parametrize("name", sorted(HOSTILE) + sorted(HOSTILE_SUMS))
def test_hostile_input_is_judged_quickly_and_never_passes(name, timed_replies):
    reply, elapsed = timed_replies[name]
    assert reply["status"] in ("error", "fail"), reply
    assert reply["message"]
    assert elapsed < BUDGET + 3, f"{name} took {elapsed:.1f} s"


@pytest.mark.parametrize("name, words", [
    ("python_call", "'_'"), ("attribute_access", "attribute access"), ("power_tower", "exponent"),
    ("factorial", "Unknown function 'factorial'"), ("nested_parentheses", "too long"),
    ("deep_but_short", "nested too deeply"), ("megabyte", "too long"),
    ("malformed_latex", "ends too early"), ("unknown_command", "Unknown LaTeX command"),
    ("cyrillic_lookalike", "Cyrillic"), ("greek_not_declared", "Unknown function 'sigma'"),
    ("big_root", "only be raised to a whole number"), ("control_characters", "control character"),
    ("string_literal", "Unexpected"),
    ("sum_with_a_real_bound", "whole number"), ("huge_numeric_sum", "at most 1000 terms"),
    ("sum_to_infinity", "infinite"),
])
def test_hostile_input_gets_a_teaching_message(name, words, timed_replies):
    reply, _ = timed_replies[name]
    assert reply["status"] == "error" and words in reply["message"], reply["message"]


def test_numbers_too_large_to_evaluate_are_the_answers_problem_not_a_grader_crash(timed_replies):
    for name in ("constant_exponential_tower", "exponential_tower", "symbolic_power_tower",
                 "hyperbolic_tower", "hyperbolic_of_a_huge_argument", "huge_symbolic_bound", "nested_sums",
                 "deeply_nested_sums", "factorial_product", "harmonic_sum", "power_sum",
                 "product_of_huge_factors", "sum_of_a_tower"):
        reply, _ = timed_replies[name]
        assert "grader problem" not in reply["message"], (name, reply["message"])


def test_normalised_lookalikes_are_read_not_rejected(timed_replies):
    reply, _ = timed_replies["fullwidth_wrong"]
    assert reply["status"] == "fail" and reply["read_as_text"] == "x/y"
    assert reply["diagnosis"] == "missing_sign"
