"""Reference: output length of a 1-D convolution or pooling layer (PyTorch semantics, floor).

Pure arithmetic, because the exercise forbids probing conv1d and validation grades this file as a
submission. tests/exercises/test_conv_shape.py checks every graded case against the length
torch.nn.functional.conv1d produces on a real tensor.
"""

from dlcheck.errors import InvalidCase


def conv_output_size(l_in, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1  # receptive field of one output: the dilated kernel
    l_out = (l_in + 2 * padding - span) // stride + 1
    if l_out < 1:
        raise InvalidCase(f"the kernel does not fit: output length {l_out}")
    return int(l_out)
