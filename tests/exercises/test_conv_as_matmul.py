"""conv_as_matmul: K @ x.flatten() agrees with F.conv2d / F.conv1d; alternatives, the rule and feedback."""

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


def test_kronecker_construction_passes(grade_text):
    """K = Σ_i S_i ⊗ T_i: S_i selects input row r + i for output row r, T_i is the 1-D Toeplitz of kernel row i."""
    source = """
import torch

def shifted_eye(n_out, n_in, offset, dtype):
    return torch.eye(n_in, dtype=dtype)[offset:offset + n_out]

def toeplitz(taps, n_in):
    n_out = n_in - len(taps) + 1
    return sum(tap * shifted_eye(n_out, n_in, j, taps.dtype) for j, tap in enumerate(taps))

def conv_matrix(kernel, in_h, in_w):
    kh = kernel.shape[0]
    out_h = in_h - kh + 1
    return sum(torch.kron(shifted_eye(out_h, in_h, i, kernel.dtype), toeplitz(kernel[i], in_w)) for i in range(kh))
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_convolving_basis_images_breaks_the_rule(grade_text):
    source = """
import torch
import torch.nn.functional as F

def conv_matrix(kernel, in_h, in_w):
    basis = torch.eye(in_h * in_w, dtype=kernel.dtype).reshape(-1, 1, in_h, in_w)
    return F.conv2d(basis, kernel[None, None]).flatten(1).T
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.score == 0
    assert "no_conv_or_unfold" in result.message and "conv2d" in result.message


def test_unfold_breaks_the_rule(grade_text):
    source = """
import torch

def conv_matrix(kernel, in_h, in_w):
    idx = torch.arange(in_h * in_w).reshape(in_h, in_w)
    patches = idx.unfold(0, kernel.shape[0], 1).unfold(1, kernel.shape[1], 1)
    raise RuntimeError("never reached")
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and "no_conv_or_unfold" in result.message


def test_a_transposed_matrix_is_named_and_fails_on_shape(grade_text):
    source = """
import torch

def conv_matrix(kernel, in_h, in_w):
    kh, kw = kernel.shape
    out_h, out_w = in_h - kh + 1, in_w - kw + 1
    K = torch.zeros(in_h * in_w, out_h * out_w, dtype=kernel.dtype)
    for r in range(out_h):
        for c in range(out_w):
            for i in range(kh):
                for j in range(kw):
                    K[(r + i) * in_w + c + j, r * out_w + c] = kernel[i, j]
    return K
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "transposed_matrix"
    assert result.failure.mismatches[0].kind == "shape"
    assert "one ROW per output pixel" in result.diagnosis["message"]


def test_float32_matrix_is_rejected_on_dtype(grade_text):
    source = """
import torch

def conv_matrix(kernel, in_h, in_w):
    kh, kw = kernel.shape
    out_h, out_w = in_h - kh + 1, in_w - kw + 1
    K = torch.zeros(out_h * out_w, in_h * in_w)
    for r in range(out_h):
        for c in range(out_w):
            for i in range(kh):
                K[r * out_w + c, (r + i) * in_w + c:(r + i) * in_w + c + kw] = kernel[i]
    return K
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None
    assert result.failure.mismatches[0].kind == "dtype"
