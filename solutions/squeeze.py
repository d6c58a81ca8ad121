"""Reference for squeeze: the squeezing operation of Real NVP / Glow, (C, H, W) -> (4C, H/2, W/2).

Dinh et al. 2017 (Real NVP), Sec. 3.6: each channel is divided into 2×2 subsquares that become
4 channels. The channel order follows Glow's squeeze2d (Kingma & Dhariwal 2018, official code),
which equals torch.nn.functional.pixel_unshuffle(x, 2):
    out[4c + 2i + j, y, x] = in[c, 2y + i, 2x + j],   i, j ∈ {0, 1}.
"""

import torch


def squeeze(x):
    C, H, W = x.shape
    blocks = x.reshape(C, H // 2, 2, W // 2, 2)  # (c, y, i, x, j)
    return blocks.permute(0, 2, 4, 1, 3).reshape(4 * C, H // 2, W // 2)  # (c, i, j, y, x)


def make_cases(seed):
    """The worked example first, then sizes with C > 1 and H ≠ W; random values are all distinct."""
    cases = [
        {"name": "the worked example: one channel, 4 × 4, values 0 … 15",
         "args": {"x": torch.arange(16, dtype=torch.float64).reshape(1, 4, 4)}},
        {"name": "two channels of one 2 × 2 block: values 0 … 7",
         "args": {"x": torch.arange(8, dtype=torch.float64).reshape(2, 2, 2)}},
        {"name": "a wide image: one channel, 2 × 6, values 0 … 11",
         "args": {"x": torch.arange(12, dtype=torch.float64).reshape(1, 2, 6)}},
    ]
    gen = torch.Generator().manual_seed(seed)
    for number, (C, H, W) in enumerate([(3, 4, 6), (2, 6, 4), (1, 8, 8), (4, 4, 2), (3, 6, 6),
                                        (1, 4, 10), (2, 2, 8)], start=1):
        x = torch.randn(C, H, W, generator=gen, dtype=torch.float64)
        cases.append({"name": f"random #{number} (C={C}, H={H}, W={W})", "args": {"x": x}})
    return cases
