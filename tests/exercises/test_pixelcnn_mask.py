"""pixelcnn_mask: the reference against the raster-order definition; a stack of masked convolutions is
causal in raster order (autograd).
(Other correct styles, rules and feedback: `examples:` in exercises/pixelcnn_mask.yaml.)"""

import pytest
import torch
import torch.nn.functional as F

from solutions.pixelcnn_mask import pixelcnn_mask

EXERCISE = "pixelcnn_mask"


def raster_oracle(k, mask_type):
    """Visible iff the kernel position comes before the centre in raster order (or is it, for B)."""
    c = k // 2
    index = torch.arange(k * k).reshape(k, k)
    centre = c * k + c
    visible = index <= centre if mask_type == "B" else index < centre
    return visible.to(torch.float64)


@pytest.mark.parametrize("k", [1, 3, 5, 7, 9])
@pytest.mark.parametrize("mask_type", ["A", "B"])
def test_reference_matches_the_raster_order_definition(k, mask_type):
    got = pixelcnn_mask(k, mask_type)
    assert got.dtype == torch.float64 and got.shape == (k, k)
    assert torch.equal(got, raster_oracle(k, mask_type))


def test_the_two_types_differ_only_at_the_centre():
    diff = pixelcnn_mask(5, "B") - pixelcnn_mask(5, "A")
    assert diff[2, 2] == 1 and diff.abs().sum() == 1


def test_masked_stack_is_causal_in_raster_order():
    """Layer 1 with mask A, two layers with mask B: output pixel i depends exactly on pixels < i."""
    g = torch.Generator().manual_seed(0)
    size, k = 6, 3
    weights = [torch.randn(1, 1, k, k, generator=g, dtype=torch.float64) * pixelcnn_mask(k, t)
               for t in ("A", "B", "B")]

    def network(image):
        h = image.reshape(1, 1, size, size)
        for w in weights:
            h = torch.tanh(F.conv2d(h, w, padding=k // 2))
        return h.reshape(-1)

    image = torch.randn(size * size, generator=g, dtype=torch.float64)
    depends = torch.autograd.functional.jacobian(network, image).abs() > 0
    earlier = torch.arange(size * size)[None, :] < torch.arange(size * size)[:, None]
    assert not (depends & ~earlier).any()  # never itself, never a later pixel
    assert depends[size * 3 + 3, size * 3 + 2] and depends[size * 3 + 3, size * 2 + 4]  # left, up-right


def test_graded_cases_cover_both_types_and_k_1(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    seen = {(c.inputs["k"], c.inputs["mask_type"]) for c in cases}
    assert {(1, "A"), (1, "B"), (3, "A"), (3, "B"), (5, "A"), (5, "B")} <= seen
