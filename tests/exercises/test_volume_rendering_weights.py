"""volume_rendering_weights: the reference against a fine numerical integration of the continuous rendering
integral; the graded cases.
(Other correct styles, rules and feedback: `examples:` in exercises/volume_rendering_weights.yaml.)"""

import pytest
import torch

from solutions.volume_rendering_weights import make_cases, volume_rendering_weights

EXERCISE = "volume_rendering_weights"


def integrated_weights(sigma, t, substeps=20000):
    """w_i = ∫_{t_i}^{t_{i+1}} T(s) σ(s) ds with T(s) = exp(−∫_{t_1}^{s} σ), σ piecewise constant, by the
    midpoint rule on a fine grid (independent of the closed-form α and cumprod)."""
    weights = torch.zeros_like(sigma)
    for r in range(sigma.shape[0]):
        optical_depth = 0.0
        for i in range(sigma.shape[1]):
            h = (t[r, i + 1] - t[r, i]).item() / substeps
            depth_at = optical_depth + sigma[r, i].item() * h * (torch.arange(substeps, dtype=torch.float64) + 0.5)
            weights[r, i] = (torch.exp(-depth_at) * sigma[r, i] * h).sum()
            optical_depth += sigma[r, i].item() * h * substeps
    return weights


@pytest.fixture(scope="module")
def cases(course):
    return [c["args"] for c in make_cases(course.get(EXERCISE).cases.seed)]


def test_reference_matches_the_integrated_rendering_equation(cases):
    for args in cases[:3] + cases[4:7]:
        weights, color = volume_rendering_weights(args["sigma"], args["t"], args["colors"])
        expected = integrated_weights(args["sigma"], args["t"])
        torch.testing.assert_close(weights, expected, rtol=1e-6, atol=1e-9)
        torch.testing.assert_close(color, torch.einsum("rn,rnc->rc", expected, args["colors"]), rtol=1e-6, atol=1e-9)


def test_the_weights_sum_to_the_absorbed_light(cases):
    for args in cases:
        weights, _ = volume_rendering_weights(args["sigma"], args["t"], args["colors"])
        total_depth = (args["sigma"] * args["t"].diff(dim=-1)).sum(dim=-1)
        torch.testing.assert_close(weights.sum(dim=-1), 1 - torch.exp(-total_depth), rtol=1e-13, atol=1e-15)


def test_the_first_hand_checkable_case():
    sigma = torch.full((1, 3), torch.log(torch.tensor(2.0, dtype=torch.float64)).item(), dtype=torch.float64)
    weights, color = volume_rendering_weights(sigma, torch.arange(4.0, dtype=torch.float64)[None], torch.eye(3)[None].double())
    torch.testing.assert_close(weights, torch.tensor([[0.5, 0.25, 0.125]], dtype=torch.float64))
    torch.testing.assert_close(color, torch.tensor([[0.5, 0.25, 0.125]], dtype=torch.float64))


def test_graded_cases_are_valid_rays(cases):
    assert len(cases) <= 20
    for args in cases:
        R, N = args["sigma"].shape
        assert args["t"].shape == (R, N + 1) and args["colors"].shape == (R, N, 3)
        assert (args["sigma"] >= 0).all() and (args["t"].diff(dim=-1) > 0).all()
    assert any(not torch.allclose(a["t"].diff(dim=-1), torch.ones(1, dtype=torch.float64)) for a in cases)


def test_normalised_weights_that_guard_the_empty_ray_are_named(grade_text):
    """The listed mistake divides 0 by 0 on the empty ray (nan); a student who guards the division
    returns zeros there, and is the same misconception everywhere else."""
    source = """
import torch


def volume_rendering_weights(sigma, t, colors):
    alpha = 1 - torch.exp(-sigma * (t[:, 1:] - t[:, :-1]))
    T = torch.cumprod(torch.cat([torch.ones_like(alpha[:, :1]), 1 - alpha[:, :-1]], dim=-1), dim=-1)
    w = T * alpha
    w = w / w.sum(dim=-1, keepdim=True).clamp_min(1e-12)
    return w, (w[..., None] * colors).sum(dim=-2)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis["id"] == "normalised_weights"
    assert result.diagnosis["cases"]["not_compared"] >= 1  # the empty ray
