"""fourier_features: the reference against the stated column formula; periodicity; the cases cover one and
several bands.
(Other correct styles, rules and feedback: `examples:` in exercises/fourier_features.yaml.)"""

import math

import torch

from solutions.fourier_features import positional_encoding

EXERCISE = "fourier_features"


def column_formula(p, L):
    """Column d·2L + 2l is sin(2^l π p_d), column d·2L + 2l + 1 is cos(2^l π p_d), with math.sin/cos."""
    out = torch.empty(p.shape[0], 6 * L, dtype=torch.float64)
    for n, point in enumerate(p.tolist()):
        for d, value in enumerate(point):
            for l in range(L):
                out[n, d * 2 * L + 2 * l] = math.sin(2**l * math.pi * value)
                out[n, d * 2 * L + 2 * l + 1] = math.cos(2**l * math.pi * value)
    return out


def test_reference_matches_the_column_formula():
    gen = torch.Generator().manual_seed(1)
    for L in (1, 2, 5, 8):
        p = 2 * torch.rand(4, 3, generator=gen, dtype=torch.float64) - 1
        encoding = positional_encoding(p, L)
        assert encoding.shape == (4, 6 * L) and encoding.dtype == torch.float64
        torch.testing.assert_close(encoding, column_formula(p, L), rtol=0, atol=1e-13)


def test_the_encoding_has_period_two_in_every_coordinate():
    p = torch.tensor([[0.1, -0.4, 0.9]], dtype=torch.float64)
    shifted = p + torch.tensor([[2.0, -2.0, 4.0]], dtype=torch.float64)
    torch.testing.assert_close(positional_encoding(p, 6), positional_encoding(shifted, 6), rtol=0, atol=1e-12)


def test_graded_cases_cover_one_and_several_bands(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    bands = {case.inputs["L"] for case in cases}
    assert 1 in bands and max(bands) == 10  # NeRF's L for positions
    for case in cases:
        assert abs(torch.tensor(case.inputs["p"].array)).max() <= 1.0


def test_a_float32_frequency_table_is_named(grade_text):
    """The statement says float64 throughout: at L = 10 a float32 2⁹π moves sin and cos by ~5e-5."""
    source = """
import math
import torch


def positional_encoding(p, L):
    freqs = 2 ** torch.arange(L) * math.pi
    a = p[:, :, None] * freqs
    return torch.stack([a.sin(), a.cos()], dim=-1).reshape(p.shape[0], -1)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis["id"] == "float32_frequencies"
    nerf = next(t for t in result.tests if t.name.startswith("L = 10"))
    assert nerf.status == "fail"
