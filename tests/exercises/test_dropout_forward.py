"""dropout_forward: the reference reproduces torch's inverted dropout; case coverage; alternatives; feedback."""

import pytest
import torch
import torch.nn.functional as F

from solutions.dropout_forward import dropout

EXERCISE = "dropout_forward"


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_reference_reproduces_torch_dropout_given_its_mask(p):
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(6, 5, generator=gen, dtype=torch.float64) + 10.0  # no zeros: the mask is readable
    torch.manual_seed(0)
    expected = F.dropout(x, p=p, training=True)
    mask = (expected != 0).to(torch.float64)
    torch.testing.assert_close(dropout(x, mask, p, True), expected, rtol=1e-15, atol=0)
    assert torch.equal(dropout(x, mask, p, False), F.dropout(x, p=p, training=False))


def test_graded_cases_mix_modes_and_probabilities(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    modes, probabilities = set(), set()
    for case in cases:
        x, mask = case.inputs["x"].array, case.inputs["mask"].array
        assert mask.shape == x.shape and set(mask.ravel().tolist()) <= {0.0, 1.0}, case.name
        assert type(case.inputs["train"]) is bool, case.name
        modes.add(case.inputs["train"])
        probabilities.add(case.inputs["p"])
    assert modes == {True, False}
    assert 0.0 in probabilities and 0.5 not in probabilities and len(probabilities) >= 5
    shapes = {tuple(case.inputs["x"].array.shape) for case in cases if not case.hidden}
    assert {(), (0, 3)} <= shapes and max(len(s) for s in shapes) >= 4  # "any shape": 0-d, empty, 4-d


def test_code_that_assumes_a_leading_dimension_fails_on_the_0d_case(grade_text):
    source = """
import torch

def dropout(x, mask, p, train):
    if not train:
        return x
    rows = x.reshape(x.shape[0], -1) * mask.reshape(x.shape[0], -1)
    return (rows / (1 - p)).reshape(x.shape)
"""
    result = grade_text(EXERCISE, source)
    assert result.status != "pass"
    failed = [t.name for t in result.tests if t.status != "pass"]
    assert failed[0].startswith("any shape includes no dimension"), failed


def test_inverted_dropout_preserves_the_mean_over_random_masks():
    gen = torch.Generator().manual_seed(1)
    x = torch.full((200_000,), 3.0, dtype=torch.float64)
    mask = (torch.rand(x.shape, generator=gen, dtype=torch.float64) >= 0.3).to(torch.float64)
    assert abs(dropout(x, mask, 0.3, True).mean().item() - 3.0) < 0.02


@pytest.mark.parametrize("body", [
    "return torch.where(mask.bool(), x / (1 - p), torch.zeros_like(x)) if train else x.clone()",
    "if not train:\n        return x\n    return x.masked_fill(mask == 0, 0.0) * (1.0 / (1.0 - p))",
])
def test_alternative_forms_pass(grade_text, body):
    result = grade_text(EXERCISE, f"import torch\n\ndef dropout(x, mask, p, train):\n    {body}\n")
    assert result.status == "pass", result.message


def test_dropping_with_a_fresh_random_mask_fails_without_a_diagnosis(grade_text):
    source = """
import torch

def dropout(x, mask, p, train):
    if not train:
        return x
    keep = (torch.rand_like(x) >= p).to(x.dtype)
    return x * keep / (1 - p)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None


def test_dividing_by_p_is_named_with_the_drop_probability(grade_text):
    result = grade_text(EXERCISE, "def dropout(x, mask, p, train):\n    return x * mask / p if train else x\n")
    assert result.status == "fail"
    assert result.diagnosis["id"] == "divided_by_p"
    assert "DROP probability" in result.diagnosis["message"]


def test_numpy_result_is_rejected_on_type(grade_text):
    result = grade_text(EXERCISE, "def dropout(x, mask, p, train):\n"
                                  "    return (x * mask / (1 - p) if train else x).numpy()\n")
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "type"
