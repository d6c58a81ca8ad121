"""kl_gaussian: the reference against torch.distributions, over every batch shape graded.
(Other correct styles, the rule and the mistakes' feedback: `examples:` in exercises/kl_gaussian.yaml.)"""

import torch
from torch.distributions import MultivariateNormal, Normal, kl_divergence

from solutions.kl_gaussian import kl_diag_gaussians

EXERCISE = "kl_gaussian"


def as_tensors(case):
    return [torch.tensor(case.inputs[name].array) for name in ("mu_q", "logvar_q", "mu_p", "logvar_p")]


def test_every_graded_case_matches_torch_distributions(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    shapes = set()
    for case in cases:
        mu_q, logvar_q, mu_p, logvar_p = as_tensors(case)
        oracle = kl_divergence(Normal(mu_q, (0.5 * logvar_q).exp()), Normal(mu_p, (0.5 * logvar_p).exp())).sum(-1)
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle, rtol=1e-12, atol=1e-12)
        shapes.add(len(mu_q.shape) - 1)
    assert shapes == {0, 1, 2}  # no batch dim, one, and two batch dims are all graded


def test_reference_matches_a_full_covariance_oracle():
    gen = torch.Generator().manual_seed(0)
    mu_q, logvar_q, mu_p, logvar_p = torch.randn(4, 5, 3, dtype=torch.float64, generator=gen)
    q = MultivariateNormal(mu_q, torch.diag_embed(logvar_q.exp()))
    p = MultivariateNormal(mu_p, torch.diag_embed(logvar_p.exp()))
    torch.testing.assert_close(kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p), kl_divergence(q, p))
