"""gaussian_cross_entropy: the reference against quadrature and H(p) + KL(p‖q); answer forms; feedback."""

from pathlib import Path

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from tests.exercises.symbolic_reference import value_at

EXERCISE = "gaussian_cross_entropy"
REPO = Path(__file__).resolve().parents[2]
POINTS = [(0.0, 1.0, 0.0, 1.0), (0.3, 0.8, -1.2, 2.5), (2.0, 3.0, 1.5, 0.4)]  # (μ₁, σ₁, μ₂, σ₂)


def reference_at(mu_1, sigma_1, mu_2, sigma_2):
    """The instructor's answer, read by the grader's own parser, at a point."""
    return float(value_at(EXERCISE, mu_1=mu_1, sigma_1=sigma_1, mu_2=mu_2, sigma_2=sigma_2))


def normal(mu, sigma):
    return Normal(torch.tensor(mu, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64))


@pytest.mark.parametrize("mu_1, sigma_1, mu_2, sigma_2", POINTS)
def test_reference_is_entropy_plus_kl(mu_1, sigma_1, mu_2, sigma_2):
    p, q = normal(mu_1, sigma_1), normal(mu_2, sigma_2)
    oracle = p.entropy() + kl_divergence(p, q)
    assert reference_at(mu_1, sigma_1, mu_2, sigma_2) == pytest.approx(oracle.item(), rel=1e-12)


@pytest.mark.parametrize("mu_1, sigma_1, mu_2, sigma_2", POINTS)
def test_reference_matches_quadrature_of_minus_p_log_q(mu_1, sigma_1, mu_2, sigma_2):
    p, q = normal(mu_1, sigma_1), normal(mu_2, sigma_2)
    x = torch.linspace(mu_1 - 14 * sigma_1, mu_1 + 14 * sigma_1, 200_001, dtype=torch.float64)
    quadrature = torch.trapezoid(-p.log_prob(x).exp() * q.log_prob(x), x)
    assert reference_at(mu_1, sigma_1, mu_2, sigma_2) == pytest.approx(quadrature.item(), rel=1e-9)


@pytest.mark.parametrize("answer", [
    r"\frac{1}{2}\log(2\pi\sigma_2^2) + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2}",
    # H(p) + KL(p‖q), written out: the decomposition the statement suggests
    "1/2*ln(2*π*e*σ_1^2) + ln(σ_2/σ_1) + (σ_1^2 + (μ_1 - μ_2)^2)/(2σ_2^2) - 1/2",
])
def test_equivalent_forms_pass(grade_text, answer):
    assert grade_text(EXERCISE, answer).status == "pass"


def test_an_unlisted_wrong_answer_fails_without_a_diagnosis(grade_text):
    result = grade_text(EXERCISE, "(sigma_1^2 + (mu_1 - mu_2)^2)/(2*sigma_2^2)")  # no normaliser at all
    assert result.status == "fail"
    assert result.diagnosis is None


def test_the_sign_typo_of_the_notes_is_named(grade_text):
    answer = "1/2*log(2*pi*e*sigma_1^2) - log(sigma_2/sigma_1) - (sigma_1^2 + (mu_1 - mu_2)^2)/(2*sigma_2^2) + 1/2"
    result = grade_text(EXERCISE, answer)
    assert result.diagnosis["id"] == "kl_sign_from_notes"
    assert "H(p) + KL(p ‖ q)" in result.diagnosis["message"]
