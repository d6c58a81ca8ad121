"""wavenet_receptive_field: the reference against the inputs a real causal dilated conv1d stack depends on;
the paper's example.
(Other correct styles, rules and feedback: `examples:` in exercises/wavenet_receptive_field.yaml.)"""

import pytest
import torch
import torch.nn.functional as F

from tests.exercises.symbolic_reference import value_at

EXERCISE = "wavenet_receptive_field"


def reference_at(L):
    """The instructor's answer, read by the grader's own parser, at L."""
    return int(value_at(EXERCISE, L=L))


def wavenet_support(L, length=300):
    """Input indices the last output of L causal conv1d layers (k = 2, dilation 2^ℓ) depends on."""
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in range(L):
        dilation = 2 ** layer
        y = F.conv1d(F.pad(y, (dilation, 0)), torch.ones(1, 1, 2, dtype=torch.float64), dilation=dilation)
    assert y.shape[-1] == length  # left padding only: causal and length-preserving
    (grad,) = torch.autograd.grad(y[0, 0, -1], x)
    return grad.flatten().nonzero().flatten()


@pytest.mark.parametrize("L", range(1, 8))
def test_reference_is_the_window_a_causal_dilated_stack_sees(L):
    support = wavenet_support(L)
    assert support[-1] == 299  # the last output sees x_t itself and nothing later
    assert reference_at(L) == support[-1] - support[0] + 1
    assert support.numel() == reference_at(L)  # doubling dilations leave no holes in the window


def test_wavenet_paper_example():
    """Dilations 1, 2, …, 512 (ten layers) give a receptive field of 1024 (van den Oord et al. 2016)."""
    assert reference_at(10) == 1024
