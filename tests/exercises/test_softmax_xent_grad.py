"""softmax_xent_grad: graded cases against autograd of F.cross_entropy; overflow and batch sizes covered.
(Other correct styles, rules and feedback: `examples:` in exercises/softmax_xent_grad.yaml.)"""

import torch
import torch.nn.functional as F

from solutions.softmax_xent_grad import softmax_xent_grad

EXERCISE = "softmax_xent_grad"


def autograd_gradient(logits, labels):
    leaf = logits.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(leaf, labels), leaf)
    return grad


def graded_inputs(course, grader):
    for case in grader.reference_cases(course.get(EXERCISE)):
        logits = torch.tensor(case.inputs["logits"].array)
        labels = torch.tensor(case.inputs["labels"].array)
        yield case, logits, labels


def test_every_graded_case_matches_autograd_and_is_finite(course, grader):
    for case, logits, labels in graded_inputs(course, grader):
        expected = torch.tensor(case.expected.array)
        assert labels.dtype == torch.int64 and int(labels.max()) < logits.shape[1], case.name
        assert torch.isfinite(expected).all(), case.name
        torch.testing.assert_close(expected, autograd_gradient(logits, labels), rtol=1e-12, atol=1e-15)


def test_graded_cases_cover_overflow_and_batch_sizes(course, grader):
    cases = list(graded_inputs(course, grader))
    assert any(logits.abs().max() >= 1000 for _, logits, _ in cases)
    # a row whose maximum is ~2000 below the batch maximum breaks a global shift
    assert any((logits.max() - logits.max(dim=1).values).max() > 1500 for _, logits, _ in cases)
    assert any(logits.shape[0] > logits.shape[1] for _, logits, _ in cases)
    assert any(logits.shape[0] < logits.shape[1] for _, logits, _ in cases)


def test_reference_rows_sum_to_zero_and_label_entries_are_negative():
    gen = torch.Generator().manual_seed(3)
    logits = 5 * torch.randn(6, 4, generator=gen, dtype=torch.float64)
    labels = torch.randint(0, 4, (6,), generator=gen)
    grad = softmax_xent_grad(logits, labels)
    torch.testing.assert_close(grad.sum(dim=1), torch.zeros(6, dtype=torch.float64), rtol=0, atol=1e-15)
    assert (grad[torch.arange(6), labels] < 0).all()
