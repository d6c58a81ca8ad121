"""Reference for fourier_features: NeRF's positional encoding.

Mildenhall et al. 2020 (NeRF), eq. 4: γ(p) = (sin(2⁰πp), cos(2⁰πp), …, sin(2^{L−1}πp), cos(2^{L−1}πp)),
applied separately to each coordinate and concatenated: [γ(x), γ(y), γ(z)], without p itself.
(The official code orders the features band by band, includes p and drops π; the paper's
formula is what this exercise states.)
"""

import math

import torch


def positional_encoding(p, L):
    frequencies = math.pi * 2.0 ** torch.arange(L, dtype=p.dtype)  # (L,)
    angles = p[:, :, None] * frequencies  # (N, 3, L)
    pairs = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1)  # (N, 3, L, 2): sin before cos
    return pairs.reshape(p.shape[0], -1)
