"""ddpm_sampling: the reference against the posterior-mean form of the reverse step; the ε model fixture;
the cases.
(Other correct styles, rules and feedback: `examples:` in exercises/ddpm_sampling.yaml.)"""

import math

import pytest
import torch

from exercises.fixtures import make_eps_model
from solutions.ddpm_sampling import ddpm_sample

EXERCISE = "ddpm_sampling"


def point_mass_eps(mu, betas):
    """The exact noise predictor when the data are always mu: ε = (x_t − √ᾱ_t μ) / √(1 − ᾱ_t)."""
    alpha_bars = torch.cumprod(1 - betas, 0)

    def eps(x, t):
        return (x - alpha_bars[t - 1].sqrt() * mu) / (1 - alpha_bars[t - 1]).sqrt()

    return eps


def posterior_mean_sampler(mu, betas, x_T, noise):
    """x_{t−1} = μ̃_t(x_t, x_0 = μ) + √β_t z_t, with μ̃_t from Ho et al. (2020), eq. (7)."""
    alphas = 1 - betas
    alpha_bars = torch.cumprod(alphas, 0)
    x = x_T
    for t in range(len(betas), 0, -1):
        i = t - 1
        ab_prev = alpha_bars[i - 1] if t > 1 else torch.tensor(1.0, dtype=betas.dtype)
        x = (ab_prev.sqrt() * betas[i] / (1 - alpha_bars[i]) * mu
             + alphas[i].sqrt() * (1 - ab_prev) / (1 - alpha_bars[i]) * x)
        if t > 1:
            x = x + betas[i].sqrt() * noise[i]
    return x


@pytest.mark.parametrize("T, shape, beta_range", [
    (1, (3,), (0.1, 0.1)), (2, (2, 3), (0.1, 0.2)), (5, (4,), (0.02, 0.25)), (8, (2, 3), (1e-4, 0.1)),
])


def test_reference_is_the_posterior_mean_step_for_a_point_mass(T, shape, beta_range):
    g = torch.Generator().manual_seed(T)
    mu = torch.randn(shape, generator=g, dtype=torch.float64)
    betas = torch.linspace(*beta_range, T, dtype=torch.float64)
    x_T = torch.randn(shape, generator=g, dtype=torch.float64)
    noise = torch.randn((T, *shape), generator=g, dtype=torch.float64)
    got = ddpm_sample(point_mass_eps(mu, betas), betas, x_T, noise)
    torch.testing.assert_close(got, posterior_mean_sampler(mu, betas, x_T, noise), rtol=1e-12, atol=1e-12)
    # With the exact predictor and no noise at t = 1, the last step lands on the data point itself.
    torch.testing.assert_close(got, mu, rtol=1e-10, atol=1e-10)


def test_eps_model_accepts_ints_and_integer_tensors_only_in_range():
    model = make_eps_model(T=4, scale=1.0, freq=1.2, phase=0.5, mix=0.1)
    x = torch.linspace(-1, 1, 6, dtype=torch.float64).reshape(2, 3)
    assert torch.equal(model(x, 3), model(x, torch.tensor(3)))
    assert model(x, 4).shape == (2, 3) and model(x, 4).dtype == torch.float64
    for bad in (0, 5, -1):
        with pytest.raises(ValueError, match="1-based"):
            model(x, bad)
    for bad in (2.0, 1.5, True, torch.tensor(2.0), torch.tensor([2]), "2"):
        with pytest.raises(ValueError, match="integer"):
            model(x, bad)


def test_eps_model_changes_strongly_from_one_step_to_the_next():
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)
    for freq in (0.9, 1.3, 1.7):
        model = make_eps_model(T=8, scale=0.6, freq=freq, phase=0.0, mix=0.0)
        gaps = [(model(x, t + 1) - model(x, t)).abs().max().item() for t in range(1, 8)]
        assert min(gaps) > 0.05, (freq, gaps)


def test_the_graded_cases_cover_t1_and_x_of_every_rank_up_to_three(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    shapes = {(len(c.inputs["betas"].array), c.inputs["x_T"].shape) for c in cases}
    assert any(T == 1 for T, _ in shapes)
    assert any(len(shape) == 2 and math.prod(shape) > 2 and T >= 2 for T, shape in shapes)
    assert {len(shape) for _, shape in shapes} >= {0, 1, 2, 3}  # "any shape S", S = () included
    for case in cases:
        T = len(case.inputs["betas"].array)
        assert case.inputs["noise"].shape == (T, *case.inputs["x_T"].shape), case.name
        assert case.inputs["eps_model"].params["T"] == T, case.name


SAMPLER = """
import torch


def ddpm_sample(eps_model, betas, x_T, noise):
    alphas = 1 - betas
    alpha_bars = torch.cumprod(alphas, 0)
    x = x_T
    for i in reversed(range(len(betas))):
        eps = eps_model(x, MODEL_T)
        x = (x - (1 - alphas[i]) / torch.sqrt(1 - alpha_bars[i]) * eps) / torch.sqrt(alphas[i])
        if i > 0:
            x = x + torch.sqrt(betas[i]) * noise[i]
    return RESULT
"""

def sampler(model_t="i + 1", result="x"):
    return SAMPLER.replace("MODEL_T", model_t).replace("RESULT", result)


def test_a_model_time_off_by_one_within_range_is_caught(grade_text):
    """Strong t-dependence: calling the model at a neighbouring (valid) step changes the sample."""
    result = grade_text(EXERCISE, sampler("max(i, 1)"))
    assert result.status == "fail"
    assert sum(t.status == "pass" for t in result.tests) <= 1  # only T = 1 survives
