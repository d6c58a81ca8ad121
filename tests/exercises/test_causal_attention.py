"""causal_attention: the reference against PyTorch's causal attention and a per-position loop;
causality via the Jacobian; alternative masks pass; built-in attention breaks the rule."""

import pytest
import torch
import torch.nn.functional as F

from solutions.causal_attention import causal_self_attention

EXERCISE = "causal_attention"


def random_inputs(T, D, d_k, seed):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*shape, generator=g, dtype=torch.float64) for shape in
            [(T, D), (D, d_k), (D, d_k), (D, d_k)]]


def torch_oracle(X, W_q, W_k, W_v):
    return F.scaled_dot_product_attention(X @ W_q, X @ W_k, X @ W_v, is_causal=True)


def test_every_graded_case_matches_torch_causal_attention(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    assert 8 <= sum(not c.hidden for c in cases) <= 20 and any(c.hidden for c in cases)
    for case in cases:
        args = [torch.tensor(case.inputs[n].array) for n in ("X", "W_q", "W_k", "W_v")]
        torch.testing.assert_close(torch.tensor(case.expected.array), torch_oracle(*args),
                                   rtol=1e-12, atol=1e-12)


def test_graded_cases_can_separate_the_scalings(course, grader):
    """Some case has d_k > 1, D ≠ d_k and D ≠ d_k², so 1, √D, √d_k and d_k are four different scales."""
    shapes = [(c.inputs["X"].shape[1], c.inputs["W_q"].shape[1]) for c in grader.reference_cases(course.get(EXERCISE))]
    assert any(d_k > 1 and D != d_k and D != d_k ** 2 for D, d_k in shapes)


@pytest.mark.parametrize("T, D, d_k", [(1, 2, 3), (4, 3, 2), (6, 5, 5), (7, 2, 4)])
def test_reference_matches_a_loop_over_positions(T, D, d_k):
    X, W_q, W_k, W_v = random_inputs(T, D, d_k, seed=T + 10 * D)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    rows = []
    for t in range(T):
        weights = torch.softmax(K[: t + 1] @ Q[t] / d_k ** 0.5, dim=0)  # keys 0 … t only
        rows.append(weights @ V[: t + 1])
    torch.testing.assert_close(causal_self_attention(X, W_q, W_k, W_v), torch.stack(rows), rtol=1e-12, atol=1e-12)


def test_output_never_depends_on_later_positions():
    X, W_q, W_k, W_v = random_inputs(5, 3, 2, seed=3)
    jac = torch.autograd.functional.jacobian(lambda x: causal_self_attention(x, W_q, W_k, W_v), X)
    depends = jac.abs().sum(dim=(1, 3)) > 0  # [t, s]: does output row t depend on input row s?
    assert torch.equal(depends, torch.ones(5, 5, dtype=torch.bool).tril())


def test_first_position_returns_its_own_value():
    X, W_q, W_k, W_v = random_inputs(4, 3, 2, seed=5)
    torch.testing.assert_close(causal_self_attention(X, W_q, W_k, W_v)[0], X[0] @ W_v, rtol=1e-15, atol=1e-15)


LOOP_SOURCE = """
import math
import torch

def causal_self_attention(X, W_q, W_k, W_v):
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    out = torch.empty(X.shape[0], V.shape[1], dtype=torch.float64)
    for t in range(X.shape[0]):
        scores = Q[t] @ K[: t + 1].T / math.sqrt(K.shape[1])
        out[t] = torch.softmax(scores, dim=0) @ V[: t + 1]
    return out
"""

FINITE_MASK_SOURCE = """
import torch

def causal_self_attention(X, W_q, W_k, W_v):
    T, d_k = X.shape[0], W_k.shape[1]
    scores = torch.einsum("td,sd->ts", X @ W_q, X @ W_k) / d_k ** 0.5
    keep = torch.tril(torch.ones(T, T, dtype=torch.bool))
    scores = torch.where(keep, scores, torch.full_like(scores, -1e9))
    return scores.softmax(-1) @ (X @ W_v)
"""


@pytest.mark.parametrize("source", [LOOP_SOURCE, FINITE_MASK_SOURCE], ids=["loop", "tril-where-finite-mask"])
def test_alternative_correct_implementations_pass(grade_text, source):
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_builtin_attention_breaks_the_rule(grade_text):
    source = """
import torch.nn.functional as F

def causal_self_attention(X, W_q, W_k, W_v):
    return F.scaled_dot_product_attention(X @ W_q, X @ W_k, X @ W_v, is_causal=True)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.score == 0
    assert "no_builtin_attention" in result.message and "scaled_dot_product_attention" in result.message


def test_notes_scaling_is_named(grade_text):
    source = LOOP_SOURCE.replace("math.sqrt(K.shape[1])", "math.sqrt(X.shape[1])")
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis["id"] == "scaled_by_sqrt_model_dim"
    assert "√d_k" in result.diagnosis["message"]


def test_masked_weights_renormalised_after_the_softmax_pass(grade_text):
    """Zeroing the future after the softmax is a listed mistake; renormalising the rows repairs it."""
    source = """
import math
import torch

def causal_self_attention(X, W_q, W_k, W_v):
    weights = torch.softmax((X @ W_q) @ (X @ W_k).T / math.sqrt(W_k.shape[1]), dim=-1).tril()
    return weights / weights.sum(dim=-1, keepdim=True) @ (X @ W_v)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message
    unnormalised = source.replace("weights / weights.sum(dim=-1, keepdim=True)", "weights")
    result = grade_text(EXERCISE, unnormalised)
    assert result.status == "fail" and result.diagnosis["id"] == "mask_after_softmax"


def test_an_unlisted_scaling_fails_without_a_diagnosis(grade_text):
    source = LOOP_SOURCE.replace("math.sqrt(K.shape[1])", "math.sqrt(X.shape[0])")
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None
    assert result.tests[0].status == "pass"  # T = 1: a single key gets weight 1 whatever the scale


def test_a_masked_diagonal_is_named_though_a_large_negative_fill_keeps_the_first_row_finite(grade_text):
    """The listed mistake fills with −inf, so its first row is nan (softmax of nothing); filling with
    −1e9 gives a finite (uniform) first row and the same wrong rows everywhere else."""
    source = """
import math
import torch

def causal_self_attention(X, W_q, W_k, W_v):
    scores = (X @ W_q) @ (X @ W_k).T / math.sqrt(W_k.shape[1])
    hidden = torch.ones_like(scores, dtype=torch.bool).triu(diagonal=0)
    return torch.softmax(scores.masked_fill(hidden, -1e9), dim=-1) @ (X @ W_v)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis["id"] == "diagonal_masked"
