"""maxpool_backward: the reference agrees with autograd through F.max_pool2d (ties included); what the cases
cover.
(Other correct styles, rules and feedback: `examples:` in exercises/maxpool_backward.yaml.)"""

import pytest
import torch
import torch.nn.functional as F

from solutions.maxpool_backward import make_cases, maxpool2d_backward


def autograd_dx(x, dy, k, stride):
    leaf = x.clone().requires_grad_(True)
    y = F.max_pool2d(leaf[None, None], k, stride=stride)[0, 0]
    assert y.shape == dy.shape
    (dx,) = torch.autograd.grad(y, leaf, dy)
    return dx


def test_every_graded_case_matches_autograd():
    cases = make_cases(23)
    assert len(cases) == 16
    for case in cases:
        args = case["args"]
        torch.testing.assert_close(maxpool2d_backward(**args), autograd_dx(**args), rtol=0, atol=1e-14,
                                   msg=case["name"])


@pytest.mark.parametrize("H, W, k, stride", [(4, 4, 2, 2), (5, 7, 3, 1), (6, 5, 3, 2), (3, 3, 1, 1), (4, 6, 4, 3)])
@pytest.mark.parametrize("values", ["normal", "binary"])
def test_reference_matches_autograd_on_a_grid(H, W, k, stride, values):
    g = torch.Generator().manual_seed(H * 31 + W * 7 + k)
    if values == "binary":  # nearly every window has ties
        x = torch.randint(0, 2, (H, W), generator=g).to(torch.float64)
    else:
        x = torch.randn(H, W, generator=g, dtype=torch.float64)
    dy = torch.randn((H - k) // stride + 1, (W - k) // stride + 1, generator=g, dtype=torch.float64)
    torch.testing.assert_close(maxpool2d_backward(x, dy, k, stride), autograd_dx(x, dy, k, stride),
                               rtol=0, atol=1e-14)


def test_graded_cases_have_overlap_ties_and_uncovered_entries():
    cases = [c["args"] for c in make_cases(23)]
    assert any(a["stride"] < a["k"] for a in cases)
    assert any((a["x"].shape[1] - a["k"]) % a["stride"] for a in cases)
    assert sum(a["x"].unique().numel() < a["x"].numel() for a in cases) >= 5
