"""squeeze: the reference against pixel_unshuffle, invertibility, alternative forms, rule, feedback."""

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


def test_strided_indexing_and_unfold_both_pass(grade_text):
    strided = """
import torch

def squeeze(x):
    return torch.stack([x[:, i::2, j::2] for i in (0, 1) for j in (0, 1)], dim=1).flatten(0, 1)
"""
    unfold = """
import torch.nn.functional as F

def squeeze(x):
    C, H, W = x.shape
    return F.unfold(x[None], kernel_size=2, stride=2).reshape(4 * C, H // 2, W // 2)
"""
    assert grade_text(EXERCISE, strided).status == "pass"
    assert grade_text(EXERCISE, unfold).status == "pass"


def test_pixel_unshuffle_breaks_the_rule(grade_text):
    source = """
import torch.nn.functional as F

def squeeze(x):
    return F.pixel_unshuffle(x[None], 2)[0]
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert "no_pixel_unshuffle" in result.message


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
