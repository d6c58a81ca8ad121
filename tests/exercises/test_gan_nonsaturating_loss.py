"""gan_nonsaturating_loss: the reference against autograd; the non-saturating property.
(Other correct styles, rules and feedback: `examples:` in exercises/gan_nonsaturating_loss.yaml.)"""

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
