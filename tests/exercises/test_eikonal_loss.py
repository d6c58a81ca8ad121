"""eikonal_loss: the reference against torch.func and a closed-form quadric with finite differences; a true
SDF; inputs left alone.
(Other correct styles, rules and feedback: `examples:` in exercises/eikonal_loss.yaml.)"""

import torch
from torch.func import grad, vmap

from exercises import fixtures
from solutions.eikonal_loss import eikonal_loss

EXERCISE = "eikonal_loss"


def func_oracle(f, theta, x):
    """The loss and its θ-gradient with torch.func: per-point input gradients by vmap(grad), no create_graph."""
    def loss(th):
        grads = vmap(grad(f, argnums=0), in_dims=(0, None))(x, th)
        return ((torch.linalg.vector_norm(grads, dim=-1) - 1) ** 2).mean()

    return loss(theta), grad(loss)(theta)


def build(ref):
    return getattr(fixtures, ref.factory)(**ref.params)


def test_every_graded_case_matches_torch_func(course, grader):
    factories = set()
    for case in grader.reference_cases(course.get(EXERCISE)):
        theta, x = (torch.tensor(case.inputs[k].array) for k in ("theta", "x"))
        expected_loss, expected_grad = (torch.tensor(v.array) for v in case.expected)
        loss, grad_theta = func_oracle(build(case.inputs["f"]), theta, x)
        torch.testing.assert_close(expected_loss, loss, rtol=1e-12, atol=1e-14, msg=case.name)
        torch.testing.assert_close(expected_grad, grad_theta, rtol=1e-12, atol=1e-14, msg=case.name)
        factories.add(case.inputs["f"].factory)
    assert factories == {"make_quadric", "make_sphere_sdf", "make_mlp_surface"}


def quadric_loss(theta, x):
    """Closed form: f = (x − m)ᵀQ(x − m) − 1 has ∇f = 2Q(x − m)."""
    q11, q22, q33, q12, q13, q23 = theta[:6].tolist()
    Q = torch.tensor([[q11, q12, q13], [q12, q22, q23], [q13, q23, q33]], dtype=torch.float64)
    grads = 2 * (x - theta[6:9]) @ Q
    return ((grads.norm(dim=-1) - 1) ** 2).mean()


def test_quadric_against_the_closed_form_gradient_and_finite_differences():
    gen = torch.Generator().manual_seed(3)
    theta = 0.5 * torch.randn(9, generator=gen, dtype=torch.float64)
    x = torch.randn(6, 3, generator=gen, dtype=torch.float64)
    loss, grad_theta = eikonal_loss(fixtures.make_quadric(), theta, x)
    torch.testing.assert_close(loss, quadric_loss(theta, x), rtol=1e-13, atol=0)
    h = 1e-6
    steps = torch.eye(9, dtype=torch.float64) * h
    differences = torch.stack([(quadric_loss(theta + e, x) - quadric_loss(theta - e, x)) / (2 * h) for e in steps])
    torch.testing.assert_close(grad_theta, differences, rtol=1e-6, atol=1e-8)


def test_a_true_sdf_has_zero_loss_and_zero_gradient():
    theta = torch.tensor([0.3, -1.0, 2.0, 0.7], dtype=torch.float64)
    x = torch.randn(10, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    loss, grad_theta = eikonal_loss(fixtures.make_sphere_sdf(), theta, x)
    assert loss.shape == () and loss.dtype == torch.float64 and abs(loss.item()) < 1e-28
    assert grad_theta.abs().max() < 1e-14


def test_the_inputs_are_not_modified():
    theta, x = torch.randn(16, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    before = theta.clone(), x.clone()
    eikonal_loss(fixtures.make_mlp_surface(3, 1.0), theta, x)
    assert torch.equal(theta, before[0]) and torch.equal(x, before[1])
    assert not theta.requires_grad and not x.requires_grad
