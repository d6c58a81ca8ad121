"""vae_elbo: the reference against torch.distributions and the textbook formula; stability for huge logits.
(Other correct styles, rules and feedback: `examples:` in exercises/vae_elbo.yaml.)"""

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


def test_a_float32_computation_fails_on_a_public_case(grade_text, redteam_source):
    """The red team's ELBO computed in float32 failed only on hidden cases; weights and biases that nearly
    cancel show it in public: rounding them to float32 moves the logits by about 2e-5."""
    result = grade_text(EXERCISE, redteam_source(EXERCISE, "bad_float32"))
    assert result.status == "fail"
    assert not result.failure.hidden
    assert result.failure.case.startswith("large weights and biases that cancel")
