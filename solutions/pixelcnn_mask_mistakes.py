"""Known mistakes for pixelcnn_mask: each is the reference with one thing wrong."""

import torch


def _mask(k, centre_visible, *, row_above=True, right_visible=False, rows_below=False, left_visible=True):
    c = k // 2
    mask = torch.zeros(k, k, dtype=torch.float64)
    mask[:c, :] = 1.0
    if not row_above and c >= 1:
        mask[c - 1, :] = 0.0
    if left_visible:
        mask[c, :c] = 1.0
    mask[c, c] = 1.0 if centre_visible else 0.0
    if right_visible:
        mask[c, c + 1:] = 1.0
    if rows_below:
        mask[c + 1:, :] = 1.0
    return mask


def types_swapped(k, mask_type):
    return _mask(k, centre_visible=mask_type == "A")


def row_above_masked(k, mask_type):
    return _mask(k, mask_type == "B", row_above=False)


def right_of_centre_visible(k, mask_type):
    return _mask(k, mask_type == "B", right_visible=True)


def rows_below_visible(k, mask_type):
    return _mask(k, mask_type == "B", rows_below=True)


def left_of_centre_masked(k, mask_type):
    return _mask(k, mask_type == "B", left_visible=False)


def column_wise(k, mask_type):
    return _mask(k, mask_type == "B").T.contiguous()
