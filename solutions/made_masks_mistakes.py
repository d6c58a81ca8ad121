"""Known mistakes for made_masks: each is the reference with one thing wrong."""

import torch


def _masks(m0, m, hidden_strict=False, output_strict=True):
    mask_w = (m[:, None] > m0[None, :]) if hidden_strict else (m[:, None] >= m0[None, :])
    mask_v = (m0[:, None] > m[None, :]) if output_strict else (m0[:, None] >= m[None, :])
    return mask_w.to(torch.float64), mask_v.to(torch.float64)


def output_mask_not_strict(input_degrees, hidden_degrees):
    return _masks(input_degrees, hidden_degrees, output_strict=False)


def hidden_mask_strict(input_degrees, hidden_degrees):
    return _masks(input_degrees, hidden_degrees, hidden_strict=True)


def ordering_ignored(input_degrees, hidden_degrees):
    identity = torch.arange(1, input_degrees.numel() + 1)
    return _masks(identity, hidden_degrees)


def ordering_read_as_sequence(input_degrees, hidden_degrees):
    # Reads the tensor as "the variables in generation order": the degree of input d becomes its
    # position in that list, i.e. the inverse permutation.
    positions = torch.argsort(input_degrees) + 1
    return _masks(positions, hidden_degrees)


def masks_transposed(input_degrees, hidden_degrees):
    mask_w, mask_v = _masks(input_degrees, hidden_degrees)
    return mask_w.T.contiguous(), mask_v.T.contiguous()
