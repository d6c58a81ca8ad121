"""mlp_backprop: the reference agrees with autograd of F.mse_loss; the cases exercise the ReLU.
(Other correct styles, rules and feedback: `examples:` in exercises/mlp_backprop.yaml.)"""

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
