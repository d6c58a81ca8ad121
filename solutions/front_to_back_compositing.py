"""Reference for front_to_back_compositing: blending depth-sorted splats at pixels.

Kerbl et al. 2023 (3D Gaussian Splatting), eq. 3 and Sec. 6: C = Σ_i c_i α_i Π_{j<i} (1 − α_j) over the
splats sorted front to back; the tile rasteriser walks them in that order, carrying the transmittance
T = Π_{j<i} (1 − α_j). Here every splat is composited (no early stop at small T).
"""

import torch


def composite_front_to_back(alphas, colors):
    passed = torch.cumprod(1.0 - alphas, dim=-1)  # light left after splats 1 … i
    before = torch.cat([torch.ones_like(passed[:, :1]), passed[:, :-1]], dim=-1)  # T_i: after 1 … i−1
    return (before * alphas) @ colors, passed[:, -1]
