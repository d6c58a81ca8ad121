"""rnn_gradient_bound: the reference bounds real RNN Jacobians and is tight for W = λ·Q.
(Other correct styles, rules and feedback: `examples:` in exercises/rnn_gradient_bound.yaml.)"""

import pytest
import torch

from tests.exercises.symbolic_reference import value_at

EXERCISE = "rnn_gradient_bound"


def reference_at(**values):
    """The instructor's answer, read by the grader's own parser, at a point."""
    return float(value_at(EXERCISE, **values))


def state_jacobian(W_hh, W_xh, xs, h_k, activation):
    """∂h_t/∂h_k by autograd, for the steps driven by the inputs xs."""
    def run(h):
        for x in xs:
            h = activation(W_hh @ h + W_xh @ x)
        return h
    return torch.autograd.functional.jacobian(run, h_k)


@pytest.mark.parametrize("steps, scale", [(1, 0.5), (3, 1.2), (6, 0.9), (10, 1.5)])
def test_reference_bounds_the_jacobian_of_a_tanh_rnn(steps, scale):
    g = torch.Generator().manual_seed(steps)
    H = 4
    W_hh = scale * torch.randn(H, H, generator=g, dtype=torch.float64) / H ** 0.5
    W_xh = torch.randn(H, 2, generator=g, dtype=torch.float64)
    xs = torch.randn(steps, 2, generator=g, dtype=torch.float64)
    J = state_jacobian(W_hh, W_xh, xs, torch.randn(H, generator=g, dtype=torch.float64), torch.tanh)
    lambda_1 = torch.linalg.matrix_norm(W_hh, ord=2).item()
    bound = reference_at(gamma=1.0, lambda_1=lambda_1, t=steps + 2, k=2)  # tanh: γ = 1
    assert torch.linalg.matrix_norm(J, ord=2).item() <= bound * (1 + 1e-12)


@pytest.mark.parametrize("steps, lam", [(0, 2.0), (1, 0.7), (4, 1.3), (7, 0.8)])
def test_reference_is_tight_for_a_scaled_orthogonal_matrix_and_a_linear_activation(steps, lam):
    """f(a) = γ·a and W_hh = λ·Q with Q orthogonal: every factor has norm exactly γλ."""
    gamma = 0.5
    g = torch.Generator().manual_seed(steps)
    Q, _ = torch.linalg.qr(torch.randn(3, 3, generator=g, dtype=torch.float64))
    xs = torch.randn(steps, 1, generator=g, dtype=torch.float64)
    h_k = torch.randn(3, generator=g, dtype=torch.float64)
    J = state_jacobian(lam * Q, torch.ones(3, 1, dtype=torch.float64), xs, h_k, lambda a: gamma * a)
    norm = torch.linalg.matrix_norm(J, ord=2).item() if steps else 1.0
    assert norm == pytest.approx(reference_at(gamma=gamma, lambda_1=lam, t=5 + steps, k=5), rel=1e-12)
