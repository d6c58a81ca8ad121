"""conv_shape: the reference agrees with PyTorch's layers on every graded case and on a grid.
(Other correct styles, rules and feedback: `examples:` in exercises/conv_shape.yaml.)"""

import itertools

import pytest
import torch
import torch.nn.functional as F

from dlcheck.errors import InvalidCase
from solutions.conv_shape import conv_output_size

EXERCISE = "conv_shape"
ARG_NAMES = ("l_in", "kernel_size", "stride", "padding", "dilation")


def conv1d_length(l_in, kernel_size, stride=1, padding=0, dilation=1):
    x = torch.zeros(1, 1, l_in, dtype=torch.float64)
    w = torch.zeros(1, 1, kernel_size, dtype=torch.float64)
    return F.conv1d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]


FORMULA = "(l_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1"


def test_every_graded_case_matches_conv1d_on_a_real_tensor(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    assert sum(not c.hidden for c in cases) == 33 and any(c.hidden for c in cases)
    for case in cases:
        sizes = [case.inputs[name] for name in ARG_NAMES if name in case.inputs]  # trailing defaults left out
        assert case.expected == conv1d_length(*sizes), case.name
    assert {len(c.inputs) for c in cases if not c.hidden} == {2, 4, 5}


@pytest.mark.parametrize("header", ["l_in, kernel_size, stride, padding, dilation",
                                    "l_in, kernel_size, stride=1, padding=0, dilation=2"],
                         ids=["no defaults", "a wrong default"])


def test_the_signature_defaults_are_graded(grade_text, header):
    result = grade_text(EXERCISE, f"def conv_output_size({header}):\n    return {FORMULA}\n")
    assert result.status in {"fail", "error"}
    assert result.failure.case.startswith("called as conv_output_size(10, 3)")
    assert [t.status for t in result.tests].count("pass") >= 7


def test_reference_matches_conv1d_and_max_pool1d_on_a_grid():
    for l_in, k, s, p, d in itertools.product(range(1, 13), range(1, 5), range(1, 4), range(3), range(1, 3)):
        if l_in + 2 * p < d * (k - 1) + 1:
            with pytest.raises(InvalidCase):
                conv_output_size(l_in, k, s, p, d)
            continue
        expected = conv_output_size(l_in, k, s, p, d)
        assert expected == conv1d_length(l_in, k, s, p, d)
        if p <= k // 2:  # max_pool1d only accepts padding up to half the kernel
            x = torch.zeros(1, 1, l_in)
            assert expected == F.max_pool1d(x, k, stride=s, padding=p, dilation=d).shape[-1]
