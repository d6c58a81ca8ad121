"""Reference for conv_as_matmul: a 2-D convolution layer as one matrix product.

PyTorch's conv2d is a cross-correlation, y[r, c] = Σ_{i,j} kernel[i, j] · x[r + i, c + j] (no
padding, stride 1), so y.flatten() = K @ x.flatten() with the doubly block-Toeplitz matrix K
(Goodfellow, Bengio & Courville 2016, Deep Learning, §9.1: "doubly block circulant" without the
wrap-around). Row and column indices follow row-major (C-order) flattening. Plain indexing, because
the exercise forbids conv/unfold and validation grades this file as a submission;
tests/exercises/test_conv_as_matmul.py checks K against F.conv2d.
"""

import torch


def conv_matrix(kernel, in_h, in_w):
    kh, kw = kernel.shape
    out_h, out_w = in_h - kh + 1, in_w - kw + 1
    K = torch.zeros(out_h * out_w, in_h * in_w, dtype=kernel.dtype)
    taps = torch.arange(kw)
    for r in range(out_h):
        for c in range(out_w):
            row = r * out_w + c  # output pixel (r, c), row-major
            for i in range(kh):
                # kernel row i meets input row r + i, columns c … c + kw − 1
                K[row, (r + i) * in_w + c + taps] = kernel[i]
    return K
