"""Known mistakes in building the convolution matrix; each is the reference with one thing wrong."""

import torch


def _conv_matrix(kernel, in_h, in_w, *, flip=False, transpose=False, plus_one=True,
                 column_major=False, row_stride="in_w"):
    kh, kw = kernel.shape
    if flip:  # true convolution: the kernel rotated by 180°
        kernel = torch.flip(kernel, dims=(0, 1))
    out_h, out_w = in_h - kh + int(plus_one), in_w - kw + int(plus_one)
    stride = in_w if row_stride == "in_w" else out_w
    K = torch.zeros(out_h * out_w, in_h * in_w, dtype=kernel.dtype)
    for r in range(out_h):
        for c in range(out_w):
            row = c * out_h + r if column_major else r * out_w + c
            for i in range(kh):
                for j in range(kw):
                    a, b = r + i, c + j  # the input pixel that kernel[i, j] meets
                    col = b * in_h + a if column_major else a * stride + b
                    K[row, col] = kernel[i, j]
    return K.T if transpose else K


def flipped_kernel(kernel, in_h, in_w):
    return _conv_matrix(kernel, in_h, in_w, flip=True)


def transposed_matrix(kernel, in_h, in_w):
    return _conv_matrix(kernel, in_h, in_w, transpose=True)


def output_size_off_by_one(kernel, in_h, in_w):
    return _conv_matrix(kernel, in_h, in_w, plus_one=False)


def column_major_flatten(kernel, in_h, in_w):
    return _conv_matrix(kernel, in_h, in_w, column_major=True)


def row_stride_out_width(kernel, in_h, in_w):
    return _conv_matrix(kernel, in_h, in_w, row_stride="out_w")
