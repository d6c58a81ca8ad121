"""Known mistakes in NeRF's positional encoding (reference layout: [γ(x), γ(y), γ(z)], γ = sin, cos per band)."""

import math

import torch


def _angles(p, frequencies):
    return p[:, :, None] * torch.as_tensor(frequencies, dtype=p.dtype)  # (N, 3, L)


def _paper_layout(angles):
    return torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(angles.shape[0], -1)


def _bands(L):
    return 2.0 ** torch.arange(L, dtype=torch.float64)


def missing_pi(p, L):
    return _paper_layout(_angles(p, _bands(L)))


def frequencies_start_at_two(p, L):
    return _paper_layout(_angles(p, math.pi * 2.0 * _bands(L)))


def linear_frequencies(p, L):
    return _paper_layout(_angles(p, math.pi * torch.arange(1, L + 1, dtype=torch.float64)))


def one_band_short(p, L):
    return _paper_layout(_angles(p, math.pi * _bands(L - 1)))


def sines_then_cosines(p, L):
    angles = _angles(p, math.pi * _bands(L))
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(p.shape[0], -1)


def cosine_first(p, L):
    angles = _angles(p, math.pi * _bands(L))
    return torch.stack([torch.cos(angles), torch.sin(angles)], dim=-1).reshape(p.shape[0], -1)


def band_major_layout(p, L):
    """The official code's order: for each band, sin of (x, y, z), then cos of (x, y, z)."""
    angles = _angles(p, math.pi * _bands(L)).transpose(1, 2)  # (N, L, 3)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(p.shape[0], -1)


def included_input(p, L):
    return torch.cat([p, _paper_layout(_angles(p, math.pi * _bands(L)))], dim=-1)


def float32_frequencies(p, L):
    """The table built with torch's default dtype: 2 ** torch.arange(L) * math.pi is float32."""
    return _paper_layout(_angles(p, 2 ** torch.arange(L) * math.pi))
