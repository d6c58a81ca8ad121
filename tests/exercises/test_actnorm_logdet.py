"""actnorm_logdet: the reference against an autograd Jacobian of ActNorm; answer forms; feedback."""

import pytest
import torch

from tests.exercises.symbolic_reference import value_at

EXERCISE = "actnorm_logdet"


@pytest.fixture(scope="module")
def reference_log_det():
    """The instructor's answer, read by the grader's own parser, as a function of h, w, c, s."""
    return lambda *point: float(value_at(EXERCISE, **dict(zip("hwcs", point))))


def actnorm_log_abs_det(h, w, c, s):
    """log |det ∂y/∂x| of y_{i,j} = s ⊙ x_{i,j} + b on an h × w × c tensor, from autograd."""
    scale = torch.full((c,), s, dtype=torch.float64)
    bias = torch.linspace(-1.0, 1.0, c, dtype=torch.float64)

    def actnorm(flat):
        return (flat.reshape(h, w, c) * scale + bias).reshape(-1)

    jacobian = torch.autograd.functional.jacobian(actnorm, torch.randn(h * w * c, dtype=torch.float64))
    return torch.linalg.slogdet(jacobian).logabsdet.item()


@pytest.mark.parametrize("h, w, c, s", [(2, 3, 2, 1.7), (1, 4, 3, 0.4), (3, 3, 1, 2.5)])
def test_reference_matches_the_log_determinant_of_the_autograd_jacobian(reference_log_det, h, w, c, s):
    assert reference_log_det(h, w, c, s) == pytest.approx(actnorm_log_abs_det(h, w, c, s), rel=1e-12)


@pytest.mark.parametrize("answer", [
    r"h w c \log s",
    r"\log\left(s^{h w c}\right)",
    "hwc ln|s|",
])
def test_equivalent_forms_pass(grade_text, answer):
    assert grade_text(EXERCISE, answer).status == "pass"


def test_forgetting_the_spatial_positions_is_named(grade_text):
    result = grade_text(EXERCISE, r"c \ln s")
    assert result.diagnosis["id"] == "forgot_spatial"
    assert "h·w" in result.diagnosis["message"]


def test_an_unlisted_wrong_answer_fails_without_a_diagnosis(grade_text):
    result = grade_text(EXERCISE, "h*w*log(c*s)")
    assert result.status == "fail"
    assert result.diagnosis is None


@pytest.mark.parametrize("answer", [
    "h*w*c*log(s) + floor(c/17)",         # right for c ≤ 16 only
    "h*w*c*log(s)*(1 + floor(s/6))",      # right for s < 6 only
])
def test_answers_right_for_small_layers_only_fail(grade_text, answer):
    result = grade_text(EXERCISE, answer)
    assert result.status == "fail" and result.diagnosis is None, result.message


def test_a_correct_answer_checked_only_numerically_passes_and_says_so(grade_text):
    result = grade_text(EXERCISE, "h*w*(floor(c/2) + floor((c + 1)/2))*log(s)")  # the two halves of c
    assert result.status == "pass", result.message
    assert result.method == "numeric" and "not proved symbolically" in result.message

