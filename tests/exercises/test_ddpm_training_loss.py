"""ddpm_training_loss: the reference against a per-sample oracle and an exact predictor.
(Other correct styles, rules and feedback: `examples:` in exercises/ddpm_training_loss.yaml.)"""

import torch

from solutions.ddpm_training_loss import ddpm_loss

EXERCISE = "ddpm_training_loss"


def oracle_loss(x0, betas, t, eps, W, c):
    """One sample at a time, with ᾱ_t as an explicit product and the model as a vector-matrix product."""
    losses = []
    for b in range(x0.shape[0]):
        step = int(t[b])
        alpha_bar = torch.prod(1 - betas[:step])
        x_t = alpha_bar.sqrt() * x0[b] + (1 - alpha_bar).sqrt() * eps[b]
        predicted = torch.mv(W.T, x_t) + step * c
        losses.append(torch.dot(eps[b] - predicted, eps[b] - predicted))
    return torch.stack(losses)


def test_every_graded_case_matches_the_per_sample_oracle(course, grader):
    names = ("x0", "betas", "t", "eps", "W", "c")
    for case in grader.reference_cases(course.get(EXERCISE)):
        args = [torch.tensor(case.inputs[n].array) for n in names]
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle_loss(*args),
                                   rtol=1e-12, atol=1e-12, msg=case.name)


def test_the_exact_noise_predictor_has_zero_loss():
    """With x_0 = 0, x_t = √(1 − ᾱ_t) ε, so W = I / √(1 − ᾱ_t), c = 0 recovers ε exactly."""
    betas = torch.linspace(0.05, 0.3, 6, dtype=torch.float64)
    step = 4
    eps = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    alpha_bar = torch.prod(1 - betas[:step])
    W = torch.eye(3, dtype=torch.float64) / (1 - alpha_bar).sqrt()
    loss = ddpm_loss(torch.zeros_like(eps), betas, torch.full((5,), step), eps, W, torch.zeros(3, dtype=torch.float64))
    assert loss.shape == (5,)
    assert loss.abs().max() < 1e-24
