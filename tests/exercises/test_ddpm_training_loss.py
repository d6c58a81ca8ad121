"""ddpm_training_loss: the reference against a per-sample oracle and an exact predictor; alternative forms;
feedback on reductions."""

import pytest
import torch

from solutions.ddpm_training_loss import ddpm_loss

EXERCISE = "ddpm_training_loss"


def oracle_loss(x0, betas, t, eps, W, c):
    """One sample at a time, with ᾱ_t as an explicit product and the model as a vector-matrix product."""
    losses = []
    for b in range(x0.shape[0]):
        step = int(t[b])
        alpha_bar = torch.prod(1 - betas[:step])
        x_t = alpha_bar.sqrt() * x0[b] + (1 - alpha_bar).sqrt() * eps[b]
        predicted = torch.mv(W.T, x_t) + step * c
        losses.append(torch.dot(eps[b] - predicted, eps[b] - predicted))
    return torch.stack(losses)


def test_every_graded_case_matches_the_per_sample_oracle(course, grader):
    names = ("x0", "betas", "t", "eps", "W", "c")
    for case in grader.reference_cases(course.get(EXERCISE)):
        args = [torch.tensor(case.inputs[n].array) for n in names]
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle_loss(*args),
                                   rtol=1e-12, atol=1e-12, msg=case.name)


def test_the_exact_noise_predictor_has_zero_loss():
    """With x_0 = 0, x_t = √(1 − ᾱ_t) ε, so W = I / √(1 − ᾱ_t), c = 0 recovers ε exactly."""
    betas = torch.linspace(0.05, 0.3, 6, dtype=torch.float64)
    step = 4
    eps = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    alpha_bar = torch.prod(1 - betas[:step])
    W = torch.eye(3, dtype=torch.float64) / (1 - alpha_bar).sqrt()
    loss = ddpm_loss(torch.zeros_like(eps), betas, torch.full((5,), step), eps, W, torch.zeros(3, dtype=torch.float64))
    assert loss.shape == (5,)
    assert loss.abs().max() < 1e-24


ALTERNATIVES = {
    "mse_loss without reduction": "return F.mse_loss(pred, eps, reduction='none').sum(dim=1)",
    "squared vector norm": "return torch.linalg.vector_norm(eps - pred, dim=1) ** 2",
    "einsum": "return torch.einsum('bd,bd->b', eps - pred, eps - pred)",
}


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_forms_pass(grade_text, name):
    source = f"""
import torch
import torch.nn.functional as F

def ddpm_loss(x0, betas, t, eps, W, c):
    ab = torch.cumprod(1 - betas, 0)[t - 1][:, None]
    x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
    pred = x_t @ W + t[:, None].double() * c
    {ALTERNATIVES[name]}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_default_mse_reduction_is_named_and_the_report_shows_the_shape(grade_text):
    source = """
import torch
import torch.nn.functional as F

def ddpm_loss(x0, betas, t, eps, W, c):
    ab = torch.cumprod(1 - betas, 0)[t - 1][:, None]
    x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
    return F.mse_loss(x_t @ W + t[:, None] * c, eps)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "mse_default_reduction"
    assert "reduction='none'" in result.diagnosis["message"]
    assert result.failure.mismatches[0].message == "shape [], expected [1]"


def test_predicting_x0_fails_on_the_first_hand_checkable_case(grade_text):
    source = """
import torch

def ddpm_loss(x0, betas, t, eps, W, c):
    ab = torch.cumprod(1 - betas, 0)[t - 1][:, None]
    x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
    return ((x0 - (x_t @ W + t[:, None] * c)) ** 2).sum(1)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "target_is_x0"
    assert result.failure.case.startswith("a silent model")
    assert result.failure.got.array.tolist() == [5.0]  # ‖x_0‖² instead of ‖ε‖² = 1.25


def test_an_unlisted_mistake_fails_without_a_false_diagnosis(grade_text):
    """Both the notes' √α_t typo and the √ missing on the noise: not one listed mistake, so no diagnosis."""
    source = """
import torch

def ddpm_loss(x0, betas, t, eps, W, c):
    a = (1 - betas)[t - 1][:, None]
    x_t = a.sqrt() * x0 + (1 - a) * eps
    return ((eps - (x_t @ W + t[:, None] * c)) ** 2).sum(1)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis is None
