"""kl_gaussian: the reference against torch.distributions; batch shapes, alternatives, the rule."""

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


def test_a_loop_over_latent_dimensions_passes(grade_text):
    source = """
import math
import torch

def kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    total = torch.zeros(mu_q.shape[:-1], dtype=mu_q.dtype)
    for j in range(mu_q.shape[-1]):
        std_q, std_p = torch.exp(0.5 * logvar_q[..., j]), torch.exp(0.5 * logvar_p[..., j])
        diff = mu_q[..., j] - mu_p[..., j]
        total = total + torch.log(std_p / std_q) + (std_q ** 2 + diff ** 2) / (2 * std_p ** 2) - 0.5
    return total
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_kl_divergence_from_torch_distributions_breaks_the_rule(grade_text):
    source = """
import torch
from torch.distributions import Normal, kl_divergence

def kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    q, p = Normal(mu_q, (0.5 * logvar_q).exp()), Normal(mu_p, (0.5 * logvar_p).exp())
    return kl_divergence(q, p).sum(-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert "closed_form" in result.message


def test_forgetting_the_sum_is_named_with_a_shape_mismatch(grade_text):
    source = """
import torch

def kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    return 0.5 * (logvar_p - logvar_q + (logvar_q.exp() + (mu_q - mu_p) ** 2) / logvar_p.exp() - 1)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "forgot_sum"
    assert result.failure.mismatches[0].kind == "shape"
    assert "shape [1], expected []" in result.failure.mismatches[0].message


def test_summing_over_a_fixed_axis_fails_without_a_batch_dimension(grade_text):
    source = """
import torch

def kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    return 0.5 * (logvar_p - logvar_q + (logvar_q.exp() + (mu_q - mu_p) ** 2) / logvar_p.exp() - 1).sum(dim=1)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "error"
    assert "IndexError" in str(result.failure.error)
