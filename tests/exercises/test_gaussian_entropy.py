"""gaussian_entropy: the reference against torch.distributions and quadrature; answer forms; feedback."""

from pathlib import Path

import pytest
import torch
from torch.distributions import Normal

from tests.exercises.symbolic_reference import value_at

EXERCISE = "gaussian_entropy"
REPO = Path(__file__).resolve().parents[2]


def reference_at(**values):
    """The instructor's answer, read by the grader's own parser, at a point."""
    return float(value_at(EXERCISE, **values))


@pytest.mark.parametrize("mu, sigma", [(0.0, 1.0), (2.5, 0.3), (-1.0, 7.0)])
def test_reference_matches_torch_distributions(mu, sigma):
    oracle = Normal(torch.tensor(mu, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64)).entropy()
    assert reference_at(mu=mu, sigma=sigma) == pytest.approx(oracle.item(), rel=1e-12)


def test_reference_matches_quadrature_of_minus_p_log_p():
    mu, sigma = 0.7, 1.9
    x = torch.linspace(mu - 14 * sigma, mu + 14 * sigma, 200_001, dtype=torch.float64)
    log_p = Normal(torch.tensor(mu, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64)).log_prob(x)
    quadrature = torch.trapezoid(-log_p.exp() * log_p, x)
    assert reference_at(mu=mu, sigma=sigma) == pytest.approx(quadrature.item(), rel=1e-9)


@pytest.mark.parametrize("answer", [
    r"\frac{1}{2}\ln\left(2\pi e \sigma^2\right)",
    "H(p) = ½ ln(2πeσ²)",
    "log(sigma*sqrt(2*pi*e))",
])
def test_equivalent_forms_pass(grade_text, answer):
    assert grade_text(EXERCISE, answer).status == "pass"


def test_an_answer_that_depends_on_the_mean_fails_without_a_diagnosis(grade_text):
    result = grade_text(EXERCISE, "1/2*log(2*pi*e*sigma^2) + mu")
    assert result.status == "fail"
    assert result.diagnosis is None


def test_forgetting_the_expected_quadratic_term_is_explained(grade_text):
    result = grade_text(EXERCISE, r"\frac12 \log(2\pi\sigma^2)")
    assert result.diagnosis["id"] == "forgot_e"
    assert "E_p[(x − μ)²/(2σ²)]" in result.diagnosis["message"]
