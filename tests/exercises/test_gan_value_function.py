"""gan_value_function: the reference against BCE-with-logits; stability; alternatives; feedback."""

import math

import torch
import torch.nn.functional as F

EXERCISE = "gan_value_function"


def oracle_value(real_logits, fake_logits):
    """V = −BCE(real, label 1) − BCE(fake, label 0), each averaged over its own batch."""
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return -(real + fake)


def test_every_graded_case_matches_bce_with_logits_and_is_finite(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    largest_logit, unequal_batches = 0.0, 0
    for case in cases:
        real, fake = (torch.tensor(case.inputs[name].array) for name in ("real_logits", "fake_logits"))
        expected = torch.tensor(case.expected.array)
        assert torch.isfinite(expected), case.name
        torch.testing.assert_close(expected, oracle_value(real, fake), rtol=1e-12, atol=1e-12, msg=case.name)
        largest_logit = max(largest_logit, real.abs().max().item(), fake.abs().max().item())
        unequal_batches += len(real) != len(fake)
    assert largest_logit > 745  # beyond where float64 sigmoid underflows to exactly 0
    assert unequal_batches >= 3  # a pooled mean over N + M differs from the sum of the two means


def test_the_undecided_discriminator_gives_minus_log_4(course, grader):
    first = grader.reference_cases(course.get(EXERCISE))[0]
    assert first.expected.array.item() == -math.log(4)


def test_logsigmoid_and_bce_with_logits_forms_pass(grade_text):
    for body in (
        "return F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()",
        "return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()",
        "return -(F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))"
        " + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))",
    ):
        source = f"import torch\nimport torch.nn.functional as F\n\ndef gan_value_function(real_logits, fake_logits):\n    {body}\n"
        result = grade_text(EXERCISE, source)
        assert result.status == "pass", (body, result.message)


def test_an_epsilon_inside_the_log_fails_on_the_confident_cases(grade_text):
    source = """
import torch

def gan_value_function(real_logits, fake_logits):
    d_real, d_fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)
    return torch.log(d_real + 1e-12).mean() + torch.log(1 - d_fake + 1e-12).mean()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    # It is a naive log of the sigmoid; today's engine names that mistake because its outputs are −inf
    # exactly where this one is wrong (an infinite mistake output matches any value).
    assert result.diagnosis is None or result.diagnosis["id"] == "naive_log_sigmoid"
    assert result.failure.case.startswith("the generator fools D")
    assert -28 < result.failure.got.array.item() < -27  # ≈ log(1e-12) + log σ(1): finite, but V ≈ −35.3


def test_naive_log_sigmoid_is_named_on_the_first_saturated_case(grade_text):
    source = """
import torch

def gan_value_function(real_logits, fake_logits):
    return torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean()
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "naive_log_sigmoid"
    assert result.failure.case.startswith("the generator fools D")
    assert result.failure.got.array.item() == float("-inf")


def test_the_discriminator_loss_is_named_as_a_sign_error(grade_text):
    source = """
import torch
import torch.nn.functional as F

def gan_value_function(real_logits, fake_logits):
    real_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real_loss + fake_loss
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "sign_swapped"
    assert "≤ 0" in result.diagnosis["message"]


def test_a_float32_computation_fails_on_a_public_case(grade_text, redteam_source):
    """The red team's float32 logsigmoid, returned as .double(), passed every case: its error stays under
    rtol wherever V is of the size of the logits. Where V is small, rounding the logits to float32 shows."""
    result = grade_text(EXERCISE, redteam_source(EXERCISE, "bad_float32"))
    assert result.status == "fail"
    assert not result.failure.hidden
    assert result.failure.case.startswith("confident and right")


def test_rounding_only_the_logits_to_float32_fails_too(grade_text):
    """Whatever a float32 computation does next, its inputs are rounded; that alone is caught."""
    source = """
import torch
import torch.nn.functional as F

def gan_value_function(real_logits, fake_logits):
    real, fake = real_logits.float().double(), fake_logits.float().double()
    return F.logsigmoid(real).mean() + F.logsigmoid(-fake).mean()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.case.startswith("confident and right")
