"""rnn_bptt: the reference agrees with autograd; the cases can expose every mistake.
(Other correct styles, rules and feedback: `examples:` in exercises/rnn_bptt.yaml.)"""

import numpy as np
import pytest
import torch

from solutions.rnn_bptt import rnn_bptt

EXERCISE = "rnn_bptt"
KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0")


def random_rnn(T, D, H, O, seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape, std=1.0: std * torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    return {"x": r(T, D), "h0": r(H, std=0.5), "W_xh": r(H, D, std=0.7), "W_hh": r(H, H, std=0.6),
            "b_h": r(H, std=0.3), "W_hy": r(O, H), "b_y": r(O, std=0.3), "targets": r(T, O)}


def autograd_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets):
    params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h, "W_hy": W_hy, "b_y": b_y, "h0": h0}
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    h, loss = leaves["h0"], 0.0
    for t in range(x.shape[0]):
        h = torch.tanh(leaves["W_xh"] @ x[t] + leaves["W_hh"] @ h + leaves["b_h"])
        loss = loss + 0.5 * ((leaves["W_hy"] @ h + leaves["b_y"] - targets[t]) ** 2).sum()
    grads = torch.autograd.grad(loss, list(leaves.values()))
    return dict(zip(leaves, grads))


@pytest.mark.parametrize("T, D, H, O", [(1, 2, 3, 1), (1, 1, 1, 1), (3, 2, 4, 3), (6, 3, 2, 5), (9, 1, 5, 2)])
def test_reference_matches_autograd(T, D, H, O):
    args = random_rnn(T, D, H, O, seed=T * 100 + H)
    got, want = rnn_bptt(**args), autograd_gradients(**args)
    assert list(got) == list(KEYS)
    for key in KEYS:
        assert got[key].dtype == torch.float64 and got[key].shape == want[key].shape
        torch.testing.assert_close(got[key], want[key], rtol=1e-12, atol=1e-12)


def test_graded_cases_can_expose_every_mistake(course, grader):
    """T = 1 and H ≠ D ≠ O appear, and W_hh is never symmetric (or a missing transpose would hide)."""
    cases = grader.reference_cases(course.get(EXERCISE))
    shapes = [(c.inputs["x"].shape[0], c.inputs["x"].shape[1], c.inputs["h0"].shape[0],
               c.inputs["b_y"].shape[0]) for c in cases]
    assert any(T == 1 for T, *_ in shapes)
    assert any(len({D, H, O}) == 3 and T > 1 for T, D, H, O in shapes)
    for case in cases:
        W_hh = case.inputs["W_hh"].array
        assert W_hh.shape[0] >= 2 and not np.allclose(W_hh, W_hh.T), case.name
