"""causal_attention: the reference against PyTorch's causal attention and a per-position loop; causality via
the Jacobian; the cases separate the scalings.
(Other correct styles, rules and feedback: `examples:` in exercises/causal_attention.yaml.)"""

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
