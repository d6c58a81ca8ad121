"""Known wrong versions of conv_output_size, one per misconception."""

import math


def no_floor(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return (l_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1


def ceil_instead_of_floor(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return math.ceil((l_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1


def round_instead_of_floor(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return round((l_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1


def missing_dilation(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return (l_in + 2 * padding - (kernel_size - 1) - 1) // stride + 1


def padding_counted_once(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return (l_in + padding - dilation * (kernel_size - 1) - 1) // stride + 1


def missing_minus_one(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return (l_in + 2 * padding - dilation * (kernel_size - 1)) // stride + 1


def missing_plus_one(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return (l_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride


def dilation_times_kernel(l_in, kernel_size, stride=1, padding=0, dilation=1):
    return (l_in + 2 * padding - dilation * kernel_size) // stride + 1
