"""Reference: output length of a 1-D transposed convolution (PyTorch semantics).

Pure arithmetic, because the exercise forbids probing conv_transpose1d and validation grades this
file as a submission. tests/exercises/test_conv_transpose_shape.py checks every graded case
against the length torch.nn.functional.conv_transpose1d produces on a real tensor.
"""

from dlcheck.errors import InvalidCase


def conv_transpose_output_size(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    if output_padding >= max(stride, dilation):
        # PyTorch: output_padding must be smaller than either stride or dilation.
        raise InvalidCase(f"output_padding {output_padding} >= max(stride, dilation)")
    # Each of the l_in inputs is placed `stride` apart and spreads a dilated kernel of span
    # dilation*(kernel_size-1)+1; `padding` is then cropped from each side, output_padding added on one.
    l_out = (l_in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if l_out < 1:
        raise InvalidCase(f"the padding crops everything: output length {l_out}")
    return int(l_out)
