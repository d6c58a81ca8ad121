"""beta_vae_loss: the reference against torch.distributions; alternatives; what the feedback names."""

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


def test_gaussian_nll_loss_minus_its_log_variance_term_passes(grade_text):
    source = """
import math
import torch
import torch.nn.functional as F

def beta_vae_loss(x, x_hat, mu, logvar, beta, sigma):
    var = torch.full_like(x, sigma ** 2)
    nll = F.gaussian_nll_loss(x_hat, x, var, full=False, reduction='none', eps=0.0).sum(-1)
    nll = nll - 0.5 * x.shape[-1] * math.log(sigma ** 2)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
    return nll + beta * kl
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_per_sample_mse_mean_is_named_and_explains_the_hidden_rescaling_of_beta(grade_text):
    source = """
import torch

def beta_vae_loss(x, x_hat, mu, logvar, beta, sigma):
    recon = ((x - x_hat) ** 2).mean(dim=-1) / (2 * sigma ** 2)
    return recon + beta * 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(dim=-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "recon_mean_over_dims"
    assert "multiplies β by D" in result.diagnosis["message"]
    assert result.failure.case.startswith("one data point")


def test_beta_on_the_reconstruction_is_caught_by_the_first_case(grade_text):
    source = """
import torch

def beta_vae_loss(x, x_hat, mu, logvar, beta, sigma):
    recon = ((x - x_hat) ** 2).sum(dim=-1) / (2 * sigma ** 2)
    return beta * recon + 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(dim=-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "beta_on_reconstruction"
    assert result.failure.got.array.tolist() == [1.5]  # 4·¼ + ½


def test_a_float32_result_fails_on_dtype(grade_text):
    source = """
import torch

def beta_vae_loss(x, x_hat, mu, logvar, beta, sigma):
    recon = ((x - x_hat) ** 2).sum(dim=-1) / (2 * sigma ** 2)
    return (recon + beta * 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(dim=-1)).float()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "dtype"
