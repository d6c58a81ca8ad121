"""gan_nonsaturating_loss: the reference against autograd; the non-saturating property; rule; alternatives."""

import torch
import torch.nn.functional as F

EXERCISE = "gan_nonsaturating_loss"


def autograd_oracle(fake_logits):
    logits = fake_logits.clone().requires_grad_()
    loss = -F.logsigmoid(logits).mean()
    loss.backward()
    return loss.detach(), logits.grad


def test_every_graded_case_matches_autograd_and_is_finite(course, grader):
    for case in grader.reference_cases(course.get(EXERCISE)):
        logits = torch.tensor(case.inputs["fake_logits"].array)
        loss, grad = (torch.tensor(part.array) for part in case.expected)
        assert torch.isfinite(loss) and torch.isfinite(grad).all(), case.name
        oracle_loss, oracle_grad = autograd_oracle(logits)
        torch.testing.assert_close(loss, oracle_loss, rtol=1e-12, atol=1e-12, msg=case.name)
        torch.testing.assert_close(grad, oracle_grad, rtol=1e-12, atol=1e-12, msg=case.name)


def test_the_gradient_does_not_vanish_where_d_rejects_the_fakes(course, grader):
    case = next(c for c in grader.reference_cases(course.get(EXERCISE)) if c.name.startswith("D rejects"))
    loss, grad = (torch.tensor(part.array) for part in case.expected)
    torch.testing.assert_close(loss, torch.tensor(415.0, dtype=torch.float64))  # (800 + 30)/2
    torch.testing.assert_close(grad, torch.tensor([-0.5, -0.5], dtype=torch.float64))
    saturating_grad = -torch.sigmoid(torch.tensor([-800.0, -30.0], dtype=torch.float64)) / 2
    assert saturating_grad.abs().max() < 1e-13  # what the minimax loss would give: nothing to learn from


def test_logsigmoid_with_a_hand_written_gradient_passes(grade_text):
    source = """
import torch
import torch.nn.functional as F

def gan_nonsaturating_loss(fake_logits):
    d = torch.sigmoid(fake_logits)
    return -F.logsigmoid(fake_logits).mean(), (d - 1) / fake_logits.numel()
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_backward_breaks_the_rule(grade_text):
    source = """
import torch
import torch.nn.functional as F

def gan_nonsaturating_loss(fake_logits):
    logits = fake_logits.clone().requires_grad_()
    loss = F.softplus(-logits).mean()
    loss.backward()
    return loss.detach(), logits.grad
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert "no_autograd" in result.message


def test_returning_only_the_loss_fails_on_type(grade_text):
    source = """
import torch
import torch.nn.functional as F

def gan_nonsaturating_loss(fake_logits):
    return F.softplus(-fake_logits).mean()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "type"


def test_the_gradient_with_respect_to_d_is_named_and_shown_on_the_first_case(grade_text):
    source = """
import torch
import torch.nn.functional as F

def gan_nonsaturating_loss(fake_logits):
    return F.softplus(-fake_logits).mean(), -1 / (len(fake_logits) * torch.sigmoid(fake_logits))
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "grad_wrt_probability"
    mismatch = result.failure.mismatches[0]
    assert (mismatch.worst["got"], mismatch.worst["expected"]) == (-2.0, -0.5)
