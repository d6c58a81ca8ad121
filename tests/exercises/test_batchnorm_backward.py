"""batchnorm_backward: graded cases against autograd of F.batch_norm; the paper's staged chain rule passes;
the rule; feedback for the variance and layer-norm confusions."""

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


def test_staged_chain_rule_from_the_paper_passes(grade_text):
    """Ioffe & Szegedy §3 writes ∂ℓ/∂σ², ∂ℓ/∂μ and then ∂ℓ/∂x; the same gradient in a different order."""
    source = """
import torch

def batchnorm_backward(x, gamma, beta, eps, dy):
    N = x.shape[0]
    mu = x.mean(0)
    var = x.var(0, unbiased=False)
    std = torch.sqrt(var + eps)
    x_hat = (x - mu) / std
    dx_hat = dy * gamma
    dvar = (dx_hat * (x - mu)).sum(0) * -0.5 * std ** -3
    dmu = -(dx_hat / std).sum(0) + dvar * (-2 * (x - mu)).sum(0) / N
    dx = dx_hat / std + dvar * 2 * (x - mu) / N + dmu / N
    return {"dx": dx, "dgamma": (dy * x_hat).sum(0), "dbeta": dy.sum(0)}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_autograd_through_f_batch_norm_breaks_the_rule(grade_text):
    source = """
import torch
import torch.nn.functional as F

def batchnorm_backward(x, gamma, beta, eps, dy):
    leaves = [t.clone().requires_grad_(True) for t in (x, gamma, beta)]
    y = F.batch_norm(leaves[0], None, None, leaves[1], leaves[2], training=True, eps=eps)
    return dict(zip(["dx", "dgamma", "dbeta"], torch.autograd.grad(y, leaves, dy)))
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.score == 0
    assert "no_autograd" in result.message and "torch.autograd.grad" in result.message


def test_default_torch_var_is_named_as_the_unbiased_variance(grade_text):
    source = """
import torch

def batchnorm_backward(x, gamma, beta, eps, dy):
    x_hat = (x - x.mean(0)) / torch.sqrt(x.var(0) + eps)
    g = dy * gamma
    dx = (g - g.mean(0) - x_hat * (g * x_hat).mean(0)) / torch.sqrt(x.var(0) + eps)
    return {"dx": dx, "dgamma": (dy * x_hat).sum(0), "dbeta": dy.sum(0)}
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "unbiased_variance"
    assert "unbiased=False" in result.diagnosis["message"]
    assert {m.path for m in result.failure.mismatches} == {"dx", "dgamma"}  # dβ does not see the variance


def test_a_dbeta_only_error_is_reported_on_dbeta_alone(grade_text):
    source = """
import torch

def batchnorm_backward(x, gamma, beta, eps, dy):
    x_hat = (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + eps)
    g = dy * gamma
    dx = (g - g.mean(0) - x_hat * (g * x_hat).mean(0)) / torch.sqrt(x.var(0, unbiased=False) + eps)
    return {"dx": dx, "dgamma": (dy * x_hat).sum(0), "dbeta": dy.mean(0)}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None
    assert {m.path for m in result.failure.mismatches} == {"dbeta"}
