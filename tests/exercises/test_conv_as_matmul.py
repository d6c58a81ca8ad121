"""conv_as_matmul: K @ x.flatten() agrees with F.conv2d / F.conv1d, and its transpose with the transposed
convolution.
(Other correct styles, rules and feedback: `examples:` in exercises/conv_as_matmul.yaml.)"""

import pytest
import torch
import torch.nn.functional as F

from solutions.conv_as_matmul import conv_matrix

EXERCISE = "conv_as_matmul"


def conv2d_flat(kernel, x):
    return F.conv2d(x[None, None], kernel[None, None]).flatten()


@pytest.mark.parametrize("kh, kw, in_h, in_w", [
    (1, 1, 1, 1), (1, 3, 1, 7), (3, 1, 6, 2), (2, 2, 2, 2), (2, 3, 4, 5), (3, 3, 7, 4), (1, 2, 5, 5),
])


def test_reference_matches_conv2d_on_random_images(kh, kw, in_h, in_w):
    g = torch.Generator().manual_seed(kh * 100 + in_w)
    kernel = torch.randn(kh, kw, generator=g, dtype=torch.float64)
    K = conv_matrix(kernel, in_h, in_w)
    assert K.dtype == torch.float64 and K.shape == ((in_h - kh + 1) * (in_w - kw + 1), in_h * in_w)
    for _ in range(3):
        x = torch.randn(in_h, in_w, generator=g, dtype=torch.float64)
        torch.testing.assert_close(K @ x.flatten(), conv2d_flat(kernel, x), rtol=1e-12, atol=1e-12)


def test_one_dimensional_case_is_the_banded_toeplitz_matrix_of_conv1d():
    kernel = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64)
    K = conv_matrix(kernel, 1, 4)
    assert torch.equal(K, torch.tensor([[1.0, 2.0, 3.0, 0.0], [0.0, 1.0, 2.0, 3.0]], dtype=torch.float64))
    x = torch.randn(4, dtype=torch.float64)
    torch.testing.assert_close(K @ x, F.conv1d(x[None, None], kernel[None]).flatten())


def test_transpose_is_the_transposed_convolution():
    """Kᵀ is conv_transpose2d: the backward of the layer, a useful second oracle for the indices."""
    kernel = torch.randn(2, 3, dtype=torch.float64)
    K = conv_matrix(kernel, 4, 5)
    y = torch.randn(3, 3, dtype=torch.float64)
    torch.testing.assert_close(K.T @ y.flatten(), F.conv_transpose2d(y[None, None], kernel[None, None]).flatten())


def test_every_graded_case_agrees_with_conv2d(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    assert any(c.inputs["in_h"] == 1 for c in cases) and any(c.inputs["in_h"] != c.inputs["in_w"] for c in cases)
    for case in cases:
        kernel = torch.from_numpy(case.inputs["kernel"].array.copy())
        in_h, in_w = case.inputs["in_h"], case.inputs["in_w"]
        x = torch.randn(in_h, in_w, dtype=torch.float64)
        K = torch.from_numpy(case.expected.array.copy())
        torch.testing.assert_close(K @ x.flatten(), conv2d_flat(kernel, x), rtol=1e-12, atol=1e-12)
