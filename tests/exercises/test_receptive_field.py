"""receptive_field: the reference against the support of ∂y/∂x through a real conv1d stack.
(Other correct styles, rules and feedback: `examples:` in exercises/receptive_field.yaml.)"""

import pytest
import torch
import torch.nn.functional as F

from tests.exercises.symbolic_reference import value_at

EXERCISE = "receptive_field"


def reference_at(**values):
    """The instructor's answer, read by the grader's own parser, at a point."""
    return int(value_at(EXERCISE, **values))


def input_support(L, k, d):
    """Indices of the inputs one output of L stacked conv1d layers depends on (nonzero input gradient)."""
    x = torch.zeros(1, 1, 2 * L * d * k + 1, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(L):
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), dilation=d)  # positive weights: no cancellation
    (grad,) = torch.autograd.grad(y[0, 0, y.shape[-1] // 2], x)
    return grad.flatten().nonzero().flatten()


@pytest.mark.parametrize("L, k, d", [(1, 1, 1), (1, 3, 1), (1, 3, 2), (2, 3, 1), (3, 2, 4), (4, 5, 3), (5, 1, 3)])
def test_reference_is_the_window_a_real_conv1d_stack_sees(L, k, d):
    support = input_support(L, k, d)
    assert reference_at(L=L, k=k, d=d) == support[-1] - support[0] + 1
    # Gridding: only every d-th sample of the window is read, which is what dilation_ignored counts.
    assert support.numel() == 1 + L * (k - 1) and bool((support % d == support[0] % d).all())


def test_doubling_dilation_is_a_different_stack():
    """WaveNet-style dilations 1, 2, 4 with k = 2 see 8 samples, while three layers with d = 2 see 7."""
    x = torch.zeros(1, 1, 40, dtype=torch.float64, requires_grad=True)
    y = x
    for d in (1, 2, 4):
        y = F.conv1d(y, torch.ones(1, 1, 2, dtype=torch.float64), dilation=d)
    (grad,) = torch.autograd.grad(y[0, 0, 5], x)
    assert grad.count_nonzero() == 8
    assert reference_at(L=3, k=2, d=2) == 7
