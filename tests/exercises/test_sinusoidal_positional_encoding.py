"""sinusoidal_positional_encoding: the reference against the paper's formula element by element and its
known properties; the cases separate the mistakes; float32 intermediates fail where they should.
(Other correct styles, rules and feedback: `examples:` in exercises/sinusoidal_positional_encoding.yaml.)"""

import math

import pytest
import torch

from solutions.sinusoidal_positional_encoding import positional_encoding

EXERCISE = "sinusoidal_positional_encoding"


@pytest.mark.parametrize("T, d", [(1, 2), (5, 4), (9, 10), (30, 16)])
def test_reference_matches_the_formula_element_by_element(T, d):
    pe = positional_encoding(T, d)
    assert pe.dtype == torch.float64 and pe.shape == (T, d)
    for pos in range(T):
        for i in range(d // 2):
            angle = pos / 10000 ** (2 * i / d)
            assert pe[pos, 2 * i].item() == pytest.approx(math.sin(angle), rel=1e-13, abs=1e-15)
            assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), rel=1e-13, abs=1e-15)


def test_first_row_and_first_pair():
    pe = positional_encoding(6, 8)
    assert torch.equal(pe[0], torch.tensor([0.0, 1.0] * 4, dtype=torch.float64))
    positions = torch.arange(6, dtype=torch.float64)
    torch.testing.assert_close(pe[:, 0], positions.sin(), rtol=0, atol=0)  # frequency 1 in columns 0, 1


def test_relative_positions_are_a_rotation():
    """Sec. 3.5: PE(pos + k) is a linear function of PE(pos); each (sin, cos) pair rotates by k·ω_i."""
    d, k = 8, 3
    pe = positional_encoding(20, d)
    omega = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    for pair, w in enumerate(omega):
        c, s = math.cos(k * w), math.sin(k * w)
        rotation = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)  # (sin, cos)(a) ↦ (sin, cos)(a + kω)
        pairs = pe[:, 2 * pair: 2 * pair + 2]
        torch.testing.assert_close(pairs[:-k] @ rotation, pairs[k:], rtol=1e-12, atol=1e-12)


def test_graded_cases_separate_the_mistakes(course, grader):
    """d ≥ 4 somewhere (the exponent and halves mistakes coincide at d = 2), and some long sequence."""
    args = [(c.inputs["T"], c.inputs["d"]) for c in grader.reference_cases(course.get(EXERCISE))]
    assert args[0] == (1, 2)
    assert any(d >= 4 for _, d in args) and any(T >= 50 for T, _ in args)


def test_float32_intermediates_fail_by_a_rounding_sized_error(grade_text):
    source = """
import torch


def positional_encoding(T, d):
    angle = torch.arange(T)[:, None] / 10000 ** (torch.arange(0, d, 2) / d)
    pe = torch.empty(T, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.tests[0].status == "pass"
    assert any(t.status == "fail" and "T = 64" in t.name for t in result.tests)
    assert 0 < result.failure.mismatches[0].worst["abs_diff"] < 1e-6
