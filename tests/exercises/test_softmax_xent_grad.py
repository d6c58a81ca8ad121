"""softmax_xent_grad: graded cases against autograd of F.cross_entropy; stable alternatives pass; feedback."""

import pytest
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


@pytest.mark.parametrize("body", [
    "p = torch.softmax(logits, dim=1)\n"
    "    return (p - F.one_hot(labels, logits.shape[1])) / logits.shape[0]",
    "p = F.log_softmax(logits, dim=-1).exp()\n"
    "    p[range(len(labels)), labels] -= 1\n"
    "    return p / len(labels)",
    "z = logits - torch.logsumexp(logits, dim=1, keepdim=True)\n"
    "    return (z.exp() - (torch.arange(logits.shape[1]) == labels[:, None]).double()) / logits.shape[0]",
])
def test_stable_alternatives_pass(grade_text, body):
    source = f"import torch\nimport torch.nn.functional as F\n\ndef softmax_xent_grad(logits, labels):\n    {body}\n"
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_naive_exp_is_named_and_taught_on_the_huge_logit_case(grade_text):
    source = """
import torch
import torch.nn.functional as F

def softmax_xent_grad(logits, labels):
    e = torch.exp(logits)
    return (e / e.sum(1, keepdim=True) - F.one_hot(labels, logits.shape[1])) / logits.shape[0]
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis["id"] == "unstable_softmax"
    assert "huge logits" in result.failure.case
    assert "maximum" in result.diagnosis["message"]


def test_an_unlisted_error_fails_without_a_diagnosis(grade_text):
    source = """
import torch

def softmax_xent_grad(logits, labels):
    p = torch.softmax(logits, dim=1)
    p[torch.arange(len(labels)), labels] -= 1
    return p / (logits.shape[0] + 1)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None


def test_float32_result_is_rejected_on_dtype(grade_text):
    source = """
import torch

def softmax_xent_grad(logits, labels):
    p = torch.softmax(logits, dim=1)
    p[torch.arange(len(labels)), labels] -= 1
    return (p / logits.shape[0]).float()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "dtype"
