"""conv_transpose_shape: the reference agrees with ConvTranspose1d on every graded case and a grid, and
inverts the forward length.
(Other correct styles, rules and feedback: `examples:` in exercises/conv_transpose_shape.yaml.)"""

import itertools

import pytest
import torch
import torch.nn.functional as F

from dlcheck.errors import InvalidCase
from solutions.conv_shape import conv_output_size
from solutions.conv_transpose_shape import conv_transpose_output_size

EXERCISE = "conv_transpose_shape"
ARG_NAMES = ("l_in", "kernel_size", "stride", "padding", "dilation", "output_padding")


def conv_transpose1d_length(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    x = torch.zeros(1, 1, l_in, dtype=torch.float64)
    w = torch.zeros(1, 1, kernel_size, dtype=torch.float64)
    out = F.conv_transpose1d(x, w, stride=stride, padding=padding, output_padding=output_padding,
                             dilation=dilation)
    return out.shape[-1]


def test_every_graded_case_matches_conv_transpose1d_on_a_real_tensor(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    assert sum(not c.hidden for c in cases) == 32 and any(c.hidden for c in cases)
    for case in cases:
        sizes = [case.inputs[name] for name in ARG_NAMES if name in case.inputs]  # trailing defaults left out
        assert case.expected == conv_transpose1d_length(*sizes), case.name
    assert {len(c.inputs) for c in cases if not c.hidden} == {2, 5, 6}


def test_the_signature_defaults_are_graded(grade_text):
    formula = "(l_in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1"
    source = f"def conv_transpose_output_size(l_in, kernel_size, stride, padding, dilation, output_padding):\n" \
             f"    return {formula}\n"
    result = grade_text(EXERCISE, source)
    assert result.status == "error"
    assert result.failure.case.startswith("called as conv_transpose_output_size(4, 3)")
    assert [t.status for t in result.tests].count("error") == 2


def test_reference_matches_conv_transpose1d_on_a_grid_and_rejects_what_pytorch_rejects():
    for sizes in itertools.product(range(1, 7), range(1, 5), range(1, 4), range(3), range(1, 3), range(3)):
        try:
            pytorch_length = conv_transpose1d_length(*sizes)
        except RuntimeError:  # PyTorch refuses the layer: so must the reference
            with pytest.raises(InvalidCase):
                conv_transpose_output_size(*sizes)
            continue
        assert conv_transpose_output_size(*sizes) == pytorch_length, sizes


def test_it_inverts_the_forward_convolution_length():
    # A forward conv maps lengths l and l + r (r < stride) alike; output_padding picks among them.
    for l_in, k, s, p, d in itertools.product(range(4, 15), range(1, 5), range(1, 4), range(2), range(1, 3)):
        if l_in + 2 * p < d * (k - 1) + 1:
            continue  # the kernel does not fit: no forward layer to invert
        l_out = conv_output_size(l_in, k, s, p, d)
        remainder = (l_in + 2 * p - d * (k - 1) - 1) % s  # < stride, so a valid output_padding
        assert conv_transpose_output_size(l_out, k, s, p, d, remainder) == l_in
