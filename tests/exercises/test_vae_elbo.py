"""vae_elbo: the reference against torch.distributions, stability, alternative stable forms, feedback."""

import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

from solutions.vae_elbo import vae_elbo

EXERCISE = "vae_elbo"
ARG_NAMES = ("x", "mu", "logvar", "eps", "W_dec", "b_dec")


def oracle_elbo(x, mu, logvar, eps, W_dec, b_dec):
    std = torch.exp(0.5 * logvar)
    logits = (mu + std * eps) @ W_dec.T + b_dec
    log_likelihood = Bernoulli(logits=logits).log_prob(x).sum(-1)
    return log_likelihood - kl_divergence(Normal(mu, std), Normal(0.0, 1.0)).sum(-1)


def test_every_graded_case_matches_torch_distributions_and_is_finite(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    largest_logit = 0.0
    for case in cases:
        args = [torch.tensor(case.inputs[name].array) for name in ARG_NAMES]
        expected = torch.tensor(case.expected.array)
        assert torch.isfinite(expected).all(), case.name
        torch.testing.assert_close(expected, oracle_elbo(*args), rtol=1e-12, atol=1e-9)
        x, mu, logvar, eps, W_dec, b_dec = args
        logits = (mu + torch.exp(0.5 * logvar) * eps) @ W_dec.T + b_dec
        largest_logit = max(largest_logit, logits.abs().max().item())
    assert largest_logit > 745  # beyond where float64 sigmoid underflows to exactly 0


def test_reference_equals_the_textbook_formula_where_that_is_accurate():
    gen = torch.Generator().manual_seed(1)
    x = (torch.rand(5, 7, generator=gen) < 0.5).double()
    mu, logvar, eps = torch.randn(3, 5, 2, dtype=torch.float64, generator=gen)
    W_dec, b_dec = torch.randn(7, 2, dtype=torch.float64, generator=gen), torch.randn(7, dtype=torch.float64)
    p = torch.sigmoid((mu + torch.exp(0.5 * logvar) * eps) @ W_dec.T + b_dec)
    textbook = (x * p.log() + (1 - x) * (1 - p).log()).sum(-1) - 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(-1)
    torch.testing.assert_close(vae_elbo(x, mu, logvar, eps, W_dec, b_dec), textbook)


def test_reference_is_exact_for_huge_logits():
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0]], dtype=torch.float64)
    zeros = torch.zeros(1, 1, dtype=torch.float64)
    b_dec = torch.tensor([-1e4, 1e4, 1e4, -1e4], dtype=torch.float64)  # two wrong, two right
    elbo = vae_elbo(x, zeros, zeros, zeros, torch.zeros(4, 1, dtype=torch.float64), b_dec)
    assert elbo.tolist() == [-2e4]


STABLE_ALTERNATIVES = {
    "bce_with_logits": "ll = -F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(-1)",
    "logsigmoid": "ll = (x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)).sum(-1)",
    "softplus": "ll = (x * logits - F.softplus(logits)).sum(-1)",
}


def test_stable_formulations_from_torch_all_pass(grade_text):
    for name, line in STABLE_ALTERNATIVES.items():
        source = f"""
import torch
import torch.nn.functional as F

def vae_elbo(x, mu, logvar, eps, W_dec, b_dec):
    logits = (mu + torch.exp(0.5 * logvar) * eps) @ W_dec.T + b_dec
    {line}
    return ll - 0.5 * torch.sum(mu ** 2 + logvar.exp() - 1 - logvar, dim=-1)
"""
        assert grade_text(EXERCISE, source).status == "pass", name


def test_naive_log_sigmoid_fails_on_a_confident_decoder_and_is_named(grade_text):
    source = """
import torch

def vae_elbo(x, mu, logvar, eps, W_dec, b_dec):
    p = torch.sigmoid((mu + torch.exp(0.5 * logvar) * eps) @ W_dec.T + b_dec)
    ll = (x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(-1)
    return ll - 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "naive_log_sigmoid"
    assert "softplus" in result.diagnosis["message"]
    assert result.failure.case.startswith("confidently wrong")
    assert result.failure.got.array.tolist() == [float("-inf")]
    passed = [t.status for t in result.tests].count("pass")
    assert passed == len(result.tests) - 3  # only the three large-logit cases fail


def test_averaging_over_the_batch_is_a_shape_mismatch_that_is_named(grade_text):
    source = """
import torch
import torch.nn.functional as F

def vae_elbo(x, mu, logvar, eps, W_dec, b_dec):
    logits = (mu + torch.exp(0.5 * logvar) * eps) @ W_dec.T + b_dec
    ll = -F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(-1)
    return (ll - 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(-1)).mean()
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "batch_mean"
    assert result.failure.mismatches[0].message == "shape [], expected [1]"


def test_clamped_logits_are_not_named_naive_log_sigmoid(grade_text):
    """naive_log_sigmoid gives −inf on the three large-logit cases and the right ELBO everywhere else.
    Clamping the logits is another mistake: finite but wrong exactly there. Agreeing with the listed
    mistake only where it is right is no sign of it (docs/grading.md, "Diagnosis")."""
    source = """
import torch

def vae_elbo(x, mu, logvar, eps, W_dec, b_dec):
    p = torch.sigmoid(((mu + torch.exp(0.5 * logvar) * eps) @ W_dec.T + b_dec).clamp(-15, 15))
    ll = (x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(-1)
    return ll - 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None


def test_a_naive_softplus_is_not_named_naive_log_sigmoid(grade_text):
    """Both give −inf on the confidently wrong pixel; naive_log_sigmoid's NaN where the naive softplus
    is right is left out of the comparison, so a shared −inf must not be what names it."""
    source = """
import torch

def vae_elbo(x, mu, logvar, eps, W_dec, b_dec):
    logits = (mu + torch.exp(0.5 * logvar) * eps) @ W_dec.T + b_dec
    ll = (x * logits - torch.log(1 + torch.exp(logits))).sum(-1)
    return ll - 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "naive_softplus"


def test_a_float32_computation_fails_on_a_public_case(grade_text, redteam_source):
    """The red team's ELBO computed in float32 failed only on hidden cases; weights and biases that nearly
    cancel show it in public: rounding them to float32 moves the logits by about 2e-5."""
    result = grade_text(EXERCISE, redteam_source(EXERCISE, "bad_float32"))
    assert result.status == "fail"
    assert not result.failure.hidden
    assert result.failure.case.startswith("large weights and biases that cancel")
