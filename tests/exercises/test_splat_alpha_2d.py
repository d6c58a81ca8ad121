"""splat_alpha_2d: the reference against torch.distributions and the whitened distance; the cases.
(Other correct styles, rules and feedback: `examples:` in exercises/splat_alpha_2d.yaml.)"""

import math

import pytest
import torch
from torch.distributions import MultivariateNormal

from solutions.splat_alpha_2d import make_cases, splat_alpha_2d

EXERCISE = "splat_alpha_2d"


@pytest.fixture(scope="module")
def cases(course):
    return [c["args"] for c in make_cases(course.get(EXERCISE).cases.seed)]


def test_reference_is_the_unnormalised_density_times_opacity(cases):
    for args in cases:
        gaussian = MultivariateNormal(args["mu"], covariance_matrix=args["cov"])
        density = gaussian.log_prob(args["X"][:, None, :]).exp()  # (P, G)
        expected = args["opacity"] * density * 2 * math.pi * torch.linalg.det(args["cov"]).sqrt()
        torch.testing.assert_close(splat_alpha_2d(**args), expected, rtol=1e-12, atol=1e-15)


def test_alpha_is_the_opacity_at_the_mean_and_falls_with_the_whitened_distance():
    gen = torch.Generator().manual_seed(4)
    A = torch.randn(3, 2, 2, generator=gen, dtype=torch.float64)
    cov = A @ A.transpose(-1, -2) + 0.1 * torch.eye(2, dtype=torch.float64)
    mu, opacity = torch.randn(3, 2, generator=gen, dtype=torch.float64), torch.tensor([0.2, 0.5, 0.9]).double()
    torch.testing.assert_close(splat_alpha_2d(mu, mu, cov, opacity).diagonal(), opacity, rtol=0, atol=0)
    z = torch.tensor([1.5, -0.5], dtype=torch.float64)  # x = μ + L z has dᵀΣ⁻¹d = ‖z‖²
    X = mu + torch.einsum("gij,j->gi", torch.linalg.cholesky(cov), z)
    torch.testing.assert_close(splat_alpha_2d(X, mu, cov, opacity).diagonal(), opacity * math.exp(-0.5 * 2.5))


def test_graded_cases_hold_spd_covariances_and_opacities_below_the_clamp(cases):
    assert len(cases) <= 20
    for args in cases:
        assert (torch.linalg.eigvalsh(args["cov"]) > 0).all()
        torch.testing.assert_close(args["cov"], args["cov"].transpose(-1, -2), rtol=0, atol=0)
        assert ((args["opacity"] > 0) & (args["opacity"] <= 0.99)).all()
    assert any(args["X"].shape[0] != args["mu"].shape[0] for args in cases)  # a transposed result fails on shape
