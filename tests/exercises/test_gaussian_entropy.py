"""gaussian_entropy: the reference against torch.distributions and quadrature.
(Answer forms and feedback: `examples:` in exercises/gaussian_entropy.yaml.)"""

import pytest
import torch
from torch.distributions import Normal

from tests.exercises.symbolic_reference import value_at

EXERCISE = "gaussian_entropy"


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
