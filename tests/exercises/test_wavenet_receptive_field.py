"""wavenet_receptive_field: the reference against the inputs a real causal dilated conv1d stack
depends on; equivalent forms (plain, LaTeX) pass; each classic slip is named; unlisted ones are not."""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from tests.exercises.symbolic_reference import value_at

EXERCISE = "wavenet_receptive_field"
REPO = Path(__file__).resolve().parents[2]


def reference_at(L):
    """The instructor's answer, read by the grader's own parser, at L."""
    return int(value_at(EXERCISE, L=L))


def wavenet_support(L, length=300):
    """Input indices the last output of L causal conv1d layers (k = 2, dilation 2^ℓ) depends on."""
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in range(L):
        dilation = 2 ** layer
        y = F.conv1d(F.pad(y, (dilation, 0)), torch.ones(1, 1, 2, dtype=torch.float64), dilation=dilation)
    assert y.shape[-1] == length  # left padding only: causal and length-preserving
    (grad,) = torch.autograd.grad(y[0, 0, -1], x)
    return grad.flatten().nonzero().flatten()


@pytest.mark.parametrize("L", range(1, 8))
def test_reference_is_the_window_a_causal_dilated_stack_sees(L):
    support = wavenet_support(L)
    assert support[-1] == 299  # the last output sees x_t itself and nothing later
    assert reference_at(L) == support[-1] - support[0] + 1
    assert support.numel() == reference_at(L)  # doubling dilations leave no holes in the window


def test_wavenet_paper_example():
    """Dilations 1, 2, …, 512 (ten layers) give a receptive field of 1024 (van den Oord et al. 2016)."""
    assert reference_at(10) == 1024


@pytest.mark.parametrize("answer", ["2**L", r"R = 2^{L}", "1 + (2^L − 1)"])
def test_equivalent_forms_pass(grade_text, answer):
    result = grade_text(EXERCISE, answer)
    assert result.status == "pass", (answer, result.message)


@pytest.mark.parametrize("answer, mistake", [
    ("1 + 2 + 2^L - 3 - 1", "missing_plus_one"),
    ("2^{L+1}", "one_layer_too_many"),
    (r"\frac{2^L}{2}", "last_dilation_only"),
])
def test_slips_typed_in_other_forms_are_named(grade_text, answer, mistake):
    result = grade_text(EXERCISE, answer)
    assert result.status == "fail" and result.diagnosis["id"] == mistake, result.message


def test_answers_right_for_small_L_only_fail(grade_text):
    """L(L+1)/2 + 1 equals 2^L at L = 1 and 2 only."""
    result = grade_text(EXERCISE, "L(L+1)/2 + 1")
    assert result.status == "fail" and result.diagnosis is None


def test_answers_right_for_L_up_to_12_only_fail(grade_text):
    """The checker samples every L, not only L ≤ 12 (where it once stopped)."""
    result = grade_text(EXERCISE, "2^L + floor(L/13)")
    assert result.status == "fail" and result.diagnosis is None


def test_unknown_symbol_is_an_error_with_a_hint(grade_text):
    result = grade_text(EXERCISE, "2^n")
    assert result.status == "error" and "n" in result.message
