"""Reference for sinusoidal_positional_encoding: the Transformer's fixed positional encoding.

Vaswani et al. (2017), "Attention Is All You Need", sec. 3.5:
    PE(pos, 2i) = sin(pos / 10000^(2i/d)),   PE(pos, 2i+1) = cos(pos / 10000^(2i/d)),
for positions pos = 0, 1, …, T−1 and pair index i = 0, …, d/2 − 1 (sin and cos interleaved).
"""

import torch


def positional_encoding(T, d):
    position = torch.arange(T, dtype=torch.float64)[:, None]  # (T, 1), starting at 0
    even_dims = torch.arange(0, d, 2, dtype=torch.float64)  # 2i = 0, 2, …, d − 2
    angle = position / 10000.0 ** (even_dims / d)  # (T, d/2): pos / 10000^(2i/d)
    pe = torch.empty(T, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
