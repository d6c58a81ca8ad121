"""batchnorm_backward: graded cases against autograd of F.batch_norm; the gradient's invariances.
(Other correct styles, rules and feedback: `examples:` in exercises/batchnorm_backward.yaml.)"""

import torch
import torch.nn.functional as F

from solutions.batchnorm_backward import batchnorm_backward

EXERCISE = "batchnorm_backward"
KEYS = ("dx", "dgamma", "dbeta")


def autograd_gradients(x, gamma, beta, eps, dy):
    leaves = [t.clone().requires_grad_(True) for t in (x, gamma, beta)]
    y = F.batch_norm(leaves[0], None, None, leaves[1], leaves[2], training=True, eps=eps)
    return dict(zip(KEYS, torch.autograd.grad(y, leaves, dy)))


def test_every_graded_case_matches_autograd_of_f_batch_norm(course, grader):
    eps_values = set()
    for case in grader.reference_cases(course.get(EXERCISE)):
        tensors = {k: torch.tensor(case.inputs[k].array) for k in ("x", "gamma", "beta", "dy")}
        eps = case.inputs["eps"]
        eps_values.add(eps)
        want = autograd_gradients(tensors["x"], tensors["gamma"], tensors["beta"], eps, tensors["dy"])
        for key in KEYS:
            torch.testing.assert_close(torch.tensor(case.expected[key].array), want[key], rtol=1e-10, atol=1e-12)
    assert max(eps_values) >= 0.1 and min(eps_values) <= 1e-5


def test_gradient_is_orthogonal_to_shifts_and_scalings_of_each_feature():
    """y does not change when a feature is shifted, and barely when it is scaled (ε small): dx ⟂ 1 and dx ⟂ x − μ."""
    gen = torch.Generator().manual_seed(4)
    x = 3 * torch.randn(7, 3, generator=gen, dtype=torch.float64) + 2
    dx = batchnorm_backward(x, torch.randn(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64), 1e-12,
                            torch.randn(7, 3, generator=gen, dtype=torch.float64))["dx"]
    torch.testing.assert_close(dx.sum(0), torch.zeros(3, dtype=torch.float64), rtol=0, atol=1e-13)
    torch.testing.assert_close((dx * (x - x.mean(0))).sum(0), torch.zeros(3, dtype=torch.float64), rtol=0, atol=1e-9)
