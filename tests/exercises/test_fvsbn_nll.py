"""fvsbn_nll: the reference against a per-conditional Bernoulli oracle and a normalisation check; the cases.
(Other correct styles, rules and feedback: `examples:` in exercises/fvsbn_nll.yaml.)"""

import itertools

import pytest
import torch
from torch.distributions import Bernoulli

from solutions import fvsbn_nll_mistakes as mistakes
from solutions.fvsbn_nll import fvsbn_nll

EXERCISE = "fvsbn_nll"


def random_model(n, seed, std=1.5):
    g = torch.Generator().manual_seed(seed)
    bias = torch.randn(n, generator=g, dtype=torch.float64)
    A = std * torch.randn(n, n, generator=g, dtype=torch.float64)
    return bias, A


def all_binary_vectors(n):
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)), dtype=torch.float64)


def conditional_oracle(x, bias, A):
    """−Σ_i log Ber(x_i | σ(α_0^(i) + Σ_{j<i} α_j^(i) x_j)), one conditional at a time."""
    nll = torch.zeros(x.shape[0], dtype=torch.float64)
    for i in range(x.shape[1]):
        logit = bias[i] + x[:, :i] @ A[i, :i]
        nll -= Bernoulli(logits=logit).log_prob(x[:, i])
    return nll


@pytest.mark.parametrize("n, seed", [(1, 0), (3, 1), (5, 2), (7, 3)])
def test_reference_matches_the_conditional_oracle(n, seed):
    bias, A = random_model(n, seed)
    x = all_binary_vectors(n)
    torch.testing.assert_close(fvsbn_nll(x, bias, A), conditional_oracle(x, bias, A), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 4, 6])
def test_reference_is_a_normalised_distribution(n):
    """Σ_x p(x) = 1 over all 2^n vectors: the autoregressive factorisation is valid for any A."""
    bias, A = random_model(n, seed=10 + n)
    total = torch.exp(-fvsbn_nll(all_binary_vectors(n), bias, A)).sum()
    torch.testing.assert_close(total, torch.tensor(1.0, dtype=torch.float64), rtol=1e-12, atol=0)


@pytest.mark.parametrize("wrong", [mistakes.full_matrix, mistakes.diagonal_included])
def test_non_causal_mistakes_do_not_define_a_distribution(wrong):
    bias, A = random_model(4, seed=42)
    total = torch.exp(-wrong(all_binary_vectors(4), bias, A)).sum()
    assert abs(total.item() - 1.0) > 1e-3


def test_reference_ignores_the_diagonal_and_upper_triangle():
    bias, A = random_model(5, seed=7)
    x = all_binary_vectors(5)
    garbage = A + torch.triu(torch.full_like(A, 1e3))
    assert torch.equal(fvsbn_nll(x, bias, A), fvsbn_nll(x, bias, garbage))


def test_reference_is_finite_and_exact_for_huge_logits():
    x = torch.tensor([[0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 1.0, 0.0]], dtype=torch.float64)
    bias = torch.tensor([40.0, -40.0, 800.0, -800.0], dtype=torch.float64)
    got = fvsbn_nll(x, bias, torch.zeros(4, 4, dtype=torch.float64))
    # Unlikely values cost |l| nats (plus e^(−40)-sized terms); likely ones cost almost nothing.
    torch.testing.assert_close(got, torch.tensor([1680.0, 0.0], dtype=torch.float64), rtol=1e-15, atol=1e-15)


def test_graded_cases_have_a_non_trivial_upper_triangle_and_huge_logits(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    assert 8 <= sum(not c.hidden for c in cases) <= 20 and any(c.hidden for c in cases)
    assert any(torch.tensor(c.inputs["bias"].array).abs().max() >= 800 for c in cases)
    for case in cases:
        A = torch.tensor(case.inputs["A"].array)
        rows, cols = torch.triu_indices(*A.shape)  # the diagonal and above: must not be all zero
        assert A[rows, cols].abs().min() > 0, case.name


def test_clamped_probabilities_still_fail(grade_text):
    """A common 'fix' (clamping σ away from 0 and 1) is finite but wrong by hundreds of nats."""
    source = """
import torch

def fvsbn_nll(x, bias, A):
    p = torch.sigmoid(bias + x @ torch.tril(A, -1).T).clamp(1e-12, 1 - 1e-12)
    return -(x * p.log() + (1 - x) * (1 - p).log()).sum(-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and "extreme logits" in result.failure.case
    assert [t.status for t in result.tests].count("fail") == 1
