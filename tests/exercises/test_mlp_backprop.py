"""mlp_backprop: the reference agrees with autograd of F.mse_loss; alternatives pass; the no_autograd rule."""

import pytest
import torch
import torch.nn.functional as F

from solutions.mlp_backprop import mlp_backprop

EXERCISE = "mlp_backprop"
PARAMS = ("W1", "b1", "W2", "b2")
ARGS = ("x", "y") + PARAMS


def random_mlp(N, D, H, O, seed):
    g = torch.Generator().manual_seed(seed)
    shapes = {"x": (N, D), "y": (N, O), "W1": (H, D), "b1": (H,), "W2": (O, H), "b2": (O,)}
    return {name: torch.randn(*shape, generator=g, dtype=torch.float64) for name, shape in shapes.items()}


def autograd_gradients(x, y, W1, b1, W2, b2):
    leaves = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    w1, c1, w2, c2 = leaves
    loss = F.mse_loss(F.linear(torch.relu(F.linear(x, w1, c1)), w2, c2), y)
    return dict(zip(PARAMS, torch.autograd.grad(loss, leaves)))


@pytest.mark.parametrize("N, D, H, O", [(1, 1, 1, 1), (2, 3, 4, 1), (5, 2, 3, 4), (7, 4, 6, 2)])
def test_reference_matches_autograd(N, D, H, O):
    args = random_mlp(N, D, H, O, seed=N * 10 + O)
    got, want = mlp_backprop(**args), autograd_gradients(**args)
    assert list(got) == list(PARAMS)
    for key in PARAMS:
        assert got[key].dtype == torch.float64
        torch.testing.assert_close(got[key], want[key], rtol=1e-12, atol=1e-14)


def test_every_graded_case_matches_autograd_and_exercises_the_relu(course, grader):
    saw_dead_unit = saw_multi_output = False
    for case in grader.reference_cases(course.get(EXERCISE)):
        args = {name: torch.tensor(case.inputs[name].array) for name in ARGS}
        want = autograd_gradients(**args)
        for key in PARAMS:
            torch.testing.assert_close(torch.tensor(case.expected[key].array), want[key], rtol=1e-12, atol=1e-14)
        pre = args["x"] @ args["W1"].T + args["b1"]
        assert (pre.abs() > 1e-6).all(), case.name  # relu'(0) never matters
        saw_dead_unit |= bool((pre < 0).any())
        saw_multi_output |= args["y"].shape[1] > 1 and args["y"].shape[0] > 1
    assert saw_dead_unit and saw_multi_output


def test_column_vector_loop_implementation_passes(grade_text):
    """A per-sample loop in column-vector notation (δ = W2ᵀ e ⊙ relu′) is as good as the batched form."""
    source = """
import torch

def mlp_backprop(x, y, W1, b1, W2, b2):
    N, O = y.shape
    grads = {"W1": torch.zeros_like(W1), "b1": torch.zeros_like(b1),
             "W2": torch.zeros_like(W2), "b2": torch.zeros_like(b2)}
    for n in range(N):
        a = W1 @ x[n] + b1
        h = a.clamp(min=0)
        e = 2 * (W2 @ h + b2 - y[n]) / (N * O)
        delta = (W2.T @ e) * (a > 0)
        grads["W2"] += torch.outer(e, h)
        grads["b2"] += e
        grads["W1"] += torch.outer(delta, x[n])
        grads["b1"] += delta
    return grads
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_backward_call_breaks_the_rule(grade_text):
    source = """
import torch
import torch.nn.functional as F

def mlp_backprop(x, y, W1, b1, W2, b2):
    leaves = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    F.mse_loss(F.linear(torch.relu(F.linear(x, leaves[0], leaves[1])), leaves[2], leaves[3]), y).backward()
    return dict(zip(["W1", "b1", "W2", "b2"], [p.grad for p in leaves]))
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.score == 0
    # The autograd guard refuses the graph loss.backward() needs (the scan cannot tell a tensor's
    # backward() from a layer object's).
    assert "Rule 'no_autograd' broken: your code called autograd" in result.message


def test_missing_relu_mask_is_named_and_only_hidden_gradients_are_wrong(grade_text):
    source = """
import torch

def mlp_backprop(x, y, W1, b1, W2, b2):
    h = torch.relu(x @ W1.T + b1)
    g2 = 2 * (h @ W2.T + b2 - y) / y.numel()
    g1 = g2 @ W2
    return {"W1": g1.T @ x, "b1": g1.sum(0), "W2": g2.T @ h, "b2": g2.sum(0)}
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "missing_relu_derivative"
    assert {m.path for m in result.failure.mismatches} == {"W1", "b1"}


def test_transposed_weight_gradient_fails_on_shape(grade_text):
    source = """
import torch

def mlp_backprop(x, y, W1, b1, W2, b2):
    a = x @ W1.T + b1
    h = torch.relu(a)
    g2 = 2 * (h @ W2.T + b2 - y) / y.numel()
    g1 = (g2 @ W2) * (a > 0)
    return {"W1": x.T @ g1, "b1": g1.sum(0), "W2": g2.T @ h, "b2": g2.sum(0)}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None  # only W1 transposed: not the listed mistake
    assert [m.kind for m in result.failure.mismatches] == ["shape"]
