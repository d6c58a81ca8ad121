"""adam_step: graded cases against torch.optim.Adam; torch's form passes; the no_torch_optim rule; feedback."""

import torch

from solutions.adam_step import adam

EXERCISE = "adam_step"


def torch_adam(params, grads, lr, beta1, beta2, eps):
    theta = params.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([theta], lr=lr, betas=(beta1, beta2), eps=eps)
    for g in grads:
        theta.grad = g.clone()
        optimizer.step()
    state = optimizer.state[theta]
    return {"params": theta.detach(), "m": state["exp_avg"], "v": state["exp_avg_sq"]}


def test_every_graded_case_matches_torch_optim_adam(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    for case in cases:
        args = [torch.tensor(case.inputs[k].array) for k in ("params", "grads")]
        args += [case.inputs[k] for k in ("lr", "beta1", "beta2", "eps")]
        want = torch_adam(*args)
        for key in ("params", "m", "v"):
            torch.testing.assert_close(torch.tensor(case.expected[key].array), want[key], rtol=1e-12, atol=1e-15)
    assert any(case.inputs["grads"].array.shape[0] == 1 for case in cases)


def test_first_step_moves_every_coordinate_by_about_lr():
    """m̂_1 = g_1 and √v̂_1 = |g_1|: the first update is −lr·sign(g_1) up to ε."""
    params = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    grads = torch.tensor([[3.0, -1e-3, 40.0]], dtype=torch.float64)
    result = adam(params, grads, 0.1, 0.9, 0.999, 1e-12)
    torch.testing.assert_close(result["params"], params - 0.1 * grads[0].sign(), rtol=0, atol=1e-9)


def test_reference_does_not_modify_its_inputs():
    params, grads = torch.ones(2, dtype=torch.float64), torch.ones(3, 2, dtype=torch.float64)
    adam(params, grads, 0.1, 0.9, 0.999, 1e-8)
    assert torch.equal(params, torch.ones(2, dtype=torch.float64))


def test_torch_style_in_place_update_passes(grade_text):
    """torch.optim.Adam's own arithmetic: step size lr/(1 − β1^t), denominator √v/√(1 − β2^t) + ε."""
    source = """
import math
import torch

def adam(params, grads, lr, beta1, beta2, eps):
    theta = params.clone()
    exp_avg, exp_avg_sq = torch.zeros_like(theta), torch.zeros_like(theta)
    for step in range(1, grads.shape[0] + 1):
        g = grads[step - 1]
        exp_avg.lerp_(g, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = exp_avg_sq.sqrt() / math.sqrt(1 - beta2 ** step) + eps
        theta.addcdiv_(exp_avg, denom, value=-lr / (1 - beta1 ** step))
    return {"params": theta, "m": exp_avg, "v": exp_avg_sq}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_torch_optim_breaks_the_rule(grade_text):
    source = """
import torch
from torch.optim import Adam

def adam(params, grads, lr, beta1, beta2, eps):
    theta = params.clone().requires_grad_(True)
    opt = Adam([theta], lr=lr, betas=(beta1, beta2), eps=eps)
    for g in grads:
        theta.grad = g.clone()
        opt.step()
    s = opt.state[theta]
    return {"params": theta.detach(), "m": s["exp_avg"], "v": s["exp_avg_sq"]}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.score == 0
    assert "no_torch_optim" in result.message


def test_zero_based_step_counter_is_named(grade_text):
    source = """
import torch

def adam(params, grads, lr, beta1, beta2, eps):
    theta, m, v = params.clone(), torch.zeros_like(params), torch.zeros_like(params)
    for t in range(grads.shape[0]):
        m = beta1 * m + (1 - beta1) * grads[t]
        v = beta2 * v + (1 - beta2) * grads[t] ** 2
        theta = theta - lr * (m / (1 - beta1 ** t)) / (torch.sqrt(v / (1 - beta2 ** t)) + eps)
    return {"params": theta, "m": m, "v": v}
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "t_starts_at_zero"
    assert {m.path for m in result.failure.mismatches} == {"params"}


def test_returning_the_corrected_moments_fails_only_on_m_and_v(grade_text):
    source = """
import torch

def adam(params, grads, lr, beta1, beta2, eps):
    theta, m, v = params.clone(), torch.zeros_like(params), torch.zeros_like(params)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        theta = theta - lr * m_hat / (v_hat.sqrt() + eps)
    return {"params": theta, "m": m_hat, "v": v_hat}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None
    assert {m.path for m in result.failure.mismatches} == {"m", "v"}
