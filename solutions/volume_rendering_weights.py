"""Reference for volume_rendering_weights: NeRF's quadrature of the volume rendering integral.

Mildenhall et al. 2020 (NeRF), eq. 3: δ_i = t_{i+1} − t_i, α_i = 1 − exp(−σ_i δ_i),
T_i = exp(−Σ_{j<i} σ_j δ_j) = Π_{j<i} (1 − α_j) (T_1 = 1), Ĉ = Σ_i T_i α_i c_i.
"""

import math

import torch


def volume_rendering_weights(sigma, t, colors):
    delta = t[:, 1:] - t[:, :-1]
    optical_depth = sigma * delta
    alpha = 1.0 - torch.exp(-optical_depth)
    # Exclusive cumulative sum: the light reaching sample i has crossed samples 1 … i−1 only.
    crossed = torch.cumsum(optical_depth, dim=-1) - optical_depth
    weights = torch.exp(-crossed) * alpha
    return weights, (weights[..., None] * colors).sum(dim=-2)


# ---------------------------------------------------------------- cases (reference process only)

RGB = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]


def make_cases(seed):
    ln2 = math.log(2.0)
    cases = [
        _case("σδ = ln 2 on 3 unit intervals: α = ½, T = 1, ½, ¼",
              [[ln2, ln2, ln2]], [[0.0, 1.0, 2.0, 3.0]], [RGB]),
        _case("empty space, σ = 0: no weight, black", [[0.0, 0.0, 0.0]], [[2.0, 2.5, 3.0, 3.5]], [RGB]),
        _case("uneven spacing δ = (0.5, 2): α = 1 − e^(−1), 1 − e^(−2)",
              [[2.0, 1.0]], [[1.0, 1.5, 3.5]], [RGB[:2]]),
        _case("an opaque sample (σδ = 40) hides what is behind it",
              [[40.0, 3.0, 5.0], [0.0, 0.0, 40.0]], [[0.0, 1.0, 2.0, 3.0], [0.0, 0.5, 1.0, 1.5]], [RGB, RGB]),
        _case("one sample per ray (N = 1): T_1 = 1, so w = α", [[1.5], [0.2]], [[0.0, 0.4], [1.0, 3.0]],
              [RGB[:1], RGB[2:]]),
    ]
    g = torch.Generator().manual_seed(seed)
    for number in range(1, 9):
        R, N = (int(torch.randint(lo, hi + 1, (), generator=g)) for lo, hi in ((1, 4), (2, 8)))
        sigma = 4.0 * torch.rand(R, N, generator=g, dtype=torch.float64)
        start = 0.5 + 1.5 * torch.rand(R, 1, generator=g, dtype=torch.float64)
        steps = 0.05 + 0.55 * torch.rand(R, N, generator=g, dtype=torch.float64)
        t = torch.cat([start, start + torch.cumsum(steps, dim=-1)], dim=-1)
        colors = torch.rand(R, N, 3, generator=g, dtype=torch.float64)
        cases.append(_case(f"random #{number} (R={R}, N={N})", sigma, t, colors))
    return cases


def _case(name, sigma, t, colors):
    as_tensor = lambda v: torch.as_tensor(v, dtype=torch.float64)  # noqa: E731
    return {"name": name, "args": {"sigma": as_tensor(sigma), "t": as_tensor(t), "colors": as_tensor(colors)}}
