"""made_masks: the reference against the definition by loops; the autoregressive property of a real masked
network (autograd Jacobian); each mistake breaks the property or loses connections.
(Other correct styles, rules and feedback: `examples:` in exercises/made_masks.yaml.)"""

import pytest
import torch

from solutions import made_masks_mistakes as mistakes
from solutions.made_masks import made_masks, make_cases


def graded_cases():
    return [(c["name"], c["args"]["input_degrees"], c["args"]["hidden_degrees"]) for c in make_cases(2015)]


def allowed_dependencies(degrees):
    """allowed[d, d′] = True iff output d may depend on input d′, i.e. m⁰(d′) < m⁰(d)."""
    return degrees[None, :] < degrees[:, None]


def network_jacobian(mask_w, mask_v, seed=0):
    """|∂x̂/∂x| of a masked one-hidden-layer MADE with random weights, at a random input."""
    H, D = mask_w.shape
    g = torch.Generator().manual_seed(seed)
    W, V = torch.randn(H, D, generator=g, dtype=torch.float64), torch.randn(D, H, generator=g, dtype=torch.float64)
    b, c = torch.randn(H, generator=g, dtype=torch.float64), torch.randn(D, generator=g, dtype=torch.float64)
    x = torch.randn(D, generator=g, dtype=torch.float64)

    def made(inputs):
        return torch.sigmoid(c + (V * mask_v) @ torch.tanh(b + (W * mask_w) @ inputs))

    return torch.autograd.functional.jacobian(made, x).abs()


@pytest.mark.parametrize("name, degrees, hidden", graded_cases())
def test_reference_matches_the_definition_by_loops(name, degrees, hidden):
    mask_w, mask_v = made_masks(degrees, hidden)
    H, D = len(hidden), len(degrees)
    assert mask_w.dtype == mask_v.dtype == torch.float64
    assert mask_w.shape == (H, D) and mask_v.shape == (D, H)
    for k in range(H):
        for d in range(D):
            assert mask_w[k, d] == float(hidden[k] >= degrees[d])
            assert mask_v[d, k] == float(degrees[d] > hidden[k])


@pytest.mark.parametrize("name, degrees, hidden", graded_cases())
def test_reference_network_is_autoregressive_with_every_possible_path(name, degrees, hidden):
    """A dependency exists exactly when some hidden degree m(k) satisfies m⁰(d′) ≤ m(k) < m⁰(d)."""
    mask_w, mask_v = made_masks(degrees, hidden)
    depends = network_jacobian(mask_w, mask_v) > 0
    assert not (depends & ~allowed_dependencies(degrees)).any()
    reachable = ((degrees[None, :, None] <= hidden) & (hidden < degrees[:, None, None])).any(dim=-1)
    assert torch.equal(depends, reachable)
    assert torch.equal((mask_v @ mask_w > 0), reachable)


@pytest.mark.parametrize("wrong", [mistakes.output_mask_not_strict, mistakes.ordering_ignored,
                                   mistakes.ordering_read_as_sequence])


def test_mistakes_let_an_output_see_itself_or_its_future(wrong):
    degrees, hidden = torch.tensor([3, 1, 4, 2]), torch.tensor([1, 3, 2, 2, 1])
    depends = network_jacobian(*wrong(degrees, hidden)) > 0
    assert (depends & ~allowed_dependencies(degrees)).any()


def test_strict_hidden_mask_is_autoregressive_but_loses_the_previous_variable():
    degrees, hidden = torch.tensor([3, 1, 4, 2]), torch.tensor([1, 3, 2, 2, 1])
    depends = network_jacobian(*mistakes.hidden_mask_strict(degrees, hidden)) > 0
    assert not (depends & ~allowed_dependencies(degrees)).any()
    # x̂ of degree 2 (input 3) can no longer see the input of degree 1 (input 1).
    assert not depends[3, 1] and (network_jacobian(*made_masks(degrees, hidden)) > 0)[3, 1]
