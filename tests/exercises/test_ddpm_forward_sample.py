"""ddpm_forward_sample: the reference against the composed one-step chain; the graded cases cover the
boundaries.
(Other correct styles, rules and feedback: `examples:` in exercises/ddpm_forward_sample.yaml.)"""

import pytest
import torch

from solutions.ddpm_forward_sample import q_sample

EXERCISE = "ddpm_forward_sample"


def chain_coefficients(betas, t):
    """Run x_s = √α_s x_{s−1} + √β_s ε_s symbolically for s = 1…t: the coefficient of x_0 and the std of
    the accumulated noise (independent ε_s, so their variances add)."""
    signal, noise_var = 1.0, 0.0
    for beta in betas[:t].tolist():
        signal *= (1 - beta) ** 0.5
        noise_var = (1 - beta) * noise_var + beta
    return signal, noise_var ** 0.5


@pytest.mark.parametrize("T", [1, 3, 10])
def test_reference_matches_composing_the_one_step_kernels(T):
    betas = torch.linspace(0.05, 0.4, T, dtype=torch.float64)
    t = torch.arange(1, T + 1)
    ones = torch.ones(T, 2, dtype=torch.float64)
    signal = q_sample(ones, betas, t, torch.zeros_like(ones))[:, 0]  # x0 = 1, ε = 0
    noise = q_sample(torch.zeros_like(ones), betas, t, ones)[:, 0]  # x0 = 0, ε = 1
    expected = torch.tensor([chain_coefficients(betas, s) for s in range(1, T + 1)], dtype=torch.float64)
    torch.testing.assert_close(signal, expected[:, 0], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(noise, expected[:, 1], rtol=1e-12, atol=1e-12)


def test_every_graded_case_covers_the_boundaries(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    hits_last_step = [c.name for c in cases if int(c.inputs["t"].array.max()) == len(c.inputs["betas"].array)]
    assert len(hits_last_step) >= 3  # t = T is where a 0-based lookup runs off the end
    assert any(c.inputs["x0"].array.ndim == 3 for c in cases)
    assert any(c.inputs["x0"].shape[0] == c.inputs["x0"].shape[-1] > 1 and c.inputs["x0"].array.ndim == 2
               for c in cases)


def test_a_per_sample_scale_broadcast_along_columns_fails_without_a_false_diagnosis(grade_text):
    source = """
import torch


def q_sample(x0, betas, t, eps):
    ab = torch.cumprod(1 - betas, 0)[t - 1]
    return ab.sqrt() * x0 + (1 - ab).sqrt() * eps
"""
    result = grade_text(EXERCISE, source)
    assert result.status in ("fail", "error")
    assert result.diagnosis is None
    square = next(t for t in result.tests if t.name.startswith("B = D = 3"))
    assert square.status == "fail"  # broadcasts silently, but scales columns instead of samples


def test_a_scale_shaped_for_three_dimensional_samples_only_fails_on_the_other_ranks(grade_text):
    # Reshaping ᾱ to (B, 1, 1) fits the (B, C, D) cases only; "any shape S" includes S = () and (C, H, W).
    source = """
import torch


def q_sample(x0, betas, t, eps):
    ab = torch.cumprod(1 - betas, 0)[t - 1][:, None, None]
    return ab.sqrt() * x0 + (1 - ab).sqrt() * eps
"""
    result = grade_text(EXERCISE, source)
    not_passed = {t.name.split(":")[0] for t in result.tests if t.status != "pass" and not t.hidden}
    assert {"S = () (any shape includes no dimension)", "S = (C, H, W)"} <= not_passed
    assert any(t.status == "pass" and t.name.startswith("random") for t in result.tests)
