"""beta_vae_loss: the reference against torch.distributions; the first case is the hand computation it
names.
(Other correct styles, rules and feedback: `examples:` in exercises/beta_vae_loss.yaml.)"""

import math

import torch
from torch.distributions import Normal, kl_divergence

EXERCISE = "beta_vae_loss"
ARG_NAMES = ("x", "x_hat", "mu", "logvar")


def oracle_loss(x, x_hat, mu, logvar, beta, sigma):
    """−log N(x; x̂, σ²I) without its constant, plus β·KL, from torch.distributions."""
    constant = 0.5 * x.shape[-1] * math.log(2 * math.pi * sigma ** 2)
    nll = -Normal(x_hat, sigma).log_prob(x).sum(-1) - constant
    kl = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(-1)
    return nll + beta * kl


def test_every_graded_case_matches_torch_distributions(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    betas = set()
    for case in cases:
        tensors = [torch.tensor(case.inputs[name].array) for name in ARG_NAMES]
        beta, sigma = case.inputs["beta"], case.inputs["sigma"]
        assert isinstance(beta, float) and isinstance(sigma, float)
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle_loss(*tensors, beta, sigma),
                                   rtol=1e-12, atol=1e-12, msg=case.name)
        betas.add(beta)
    assert 0.0 in betas and max(betas) > 1  # β switched off and β > 1 (the β-VAE regime) are graded


def test_first_case_is_the_hand_computation_in_its_name(course, grader):
    first = grader.reference_cases(course.get(EXERCISE))[0]
    # ‖x − x̂‖²/(2σ²) = ½/2 = ¼ and KL = ½(μ² + 1 − 1 − 0) = ½, so ¼ + 4·½.
    assert first.expected.array.tolist() == [2.25]
