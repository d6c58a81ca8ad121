"""gaussian_cross_entropy: the reference against quadrature and H(p) + KL(p‖q).
(Other correct styles, rules and feedback: `examples:` in exercises/gaussian_cross_entropy.yaml.)"""

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from tests.exercises.symbolic_reference import value_at

EXERCISE = "gaussian_cross_entropy"
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
