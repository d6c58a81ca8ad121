"""gan_value_function: the reference against BCE-with-logits; the undecided discriminator.
(Other correct styles, rules and feedback: `examples:` in exercises/gan_value_function.yaml.)"""

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
