"""Known mistakes for sinusoidal_positional_encoding: each is the reference with one thing wrong."""

import torch


def _interleave(first, second):
    """Columns first[:, 0], second[:, 0], first[:, 1], second[:, 1], …"""
    return torch.stack([first, second], dim=-1).reshape(first.shape[0], -1)


def _angles(T, d, *, first_position=0, exponent_step=2, divide=True):
    position = torch.arange(first_position, first_position + T, dtype=torch.float64)[:, None]
    exponent = exponent_step * torch.arange(d // 2, dtype=torch.float64) / d
    scale = 10000.0 ** exponent
    return position / scale if divide else position * scale


def sin_cos_swapped(T, d):
    angle = _angles(T, d)
    return _interleave(torch.cos(angle), torch.sin(angle))


def exponent_i_over_d(T, d):
    angle = _angles(T, d, exponent_step=1)
    return _interleave(torch.sin(angle), torch.cos(angle))


def exponent_column_index(T, d):
    # Every column j gets its own frequency 10000^(−j/d): the cos of a pair is off by 1/d.
    angle = torch.arange(T, dtype=torch.float64)[:, None] / 10000.0 ** (torch.arange(d, dtype=torch.float64) / d)
    column = torch.arange(d)
    return torch.where(column % 2 == 0, torch.sin(angle), torch.cos(angle))


def halves_concatenated(T, d):
    angle = _angles(T, d)
    return torch.cat([torch.sin(angle), torch.cos(angle)], dim=-1)


def positions_from_one(T, d):
    angle = _angles(T, d, first_position=1)
    return _interleave(torch.sin(angle), torch.cos(angle))


def frequency_multiplied(T, d):
    angle = _angles(T, d, divide=False)
    return _interleave(torch.sin(angle), torch.cos(angle))
