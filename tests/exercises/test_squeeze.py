"""squeeze: the reference against pixel_unshuffle, invertibility, the worked example; where the transposed
layout fails.
(Other correct styles, rules and feedback: `examples:` in exercises/squeeze.yaml.)"""

import torch
import torch.nn.functional as F

from solutions.squeeze import make_cases, squeeze

EXERCISE = "squeeze"


def test_every_graded_case_matches_pixel_unshuffle_and_pixel_shuffle_inverts_it():
    shapes = []
    for case in make_cases(seed=23):
        x = case["args"]["x"]
        out = squeeze(x)
        assert torch.equal(out, F.pixel_unshuffle(x[None], 2)[0]), case["name"]
        assert torch.equal(F.pixel_shuffle(out[None], 2)[0], x), case["name"]
        shapes.append(x.shape)
    assert any(C > 1 for C, _, _ in shapes) and any(H != W for _, H, W in shapes)


def test_the_worked_example_of_the_statement(course):
    out = squeeze(torch.arange(16, dtype=torch.float64).reshape(1, 4, 4))
    assert out.tolist() == [[[0, 2], [8, 10]], [[1, 3], [9, 11]], [[4, 6], [12, 14]], [[5, 7], [13, 15]]]
    assert "out[1] =  1  3" in course.get(EXERCISE).statement


def test_transposed_spatial_axes_are_named_and_the_wide_image_shows_the_shape(grade_text):
    source = """

def squeeze(x):
    C, H, W = x.shape
    return x.reshape(C, H // 2, 2, W // 2, 2).permute(0, 2, 4, 3, 1).reshape(4 * C, W // 2, H // 2)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "transposed_spatial"
    wide = next(t for t in result.tests if t.name.startswith("a wide image"))
    assert wide.status == "fail"
    assert "shape [4, 3, 1], expected [4, 1, 3]" in wide.message
