"""Known wrong versions of conv_transpose_output_size, one per misconception."""


def forgot_output_padding(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    return (l_in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + 1


def padding_counted_once(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    return (l_in - 1) * stride - padding + dilation * (kernel_size - 1) + output_padding + 1


def padding_added(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    return (l_in - 1) * stride + 2 * padding + dilation * (kernel_size - 1) + output_padding + 1


def l_in_instead_of_l_in_minus_one(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    return l_in * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1


def missing_dilation(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    return (l_in - 1) * stride - 2 * padding + (kernel_size - 1) + output_padding + 1


def missing_plus_one(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    return (l_in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding


def forward_conv_formula(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    return (l_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
