"""Reference for splat_alpha_2d: the opacity of projected 2D Gaussians at pixels.

Kerbl et al. 2023 (3D Gaussian Splatting), Sec. 4 and their rasteriser: α = o · exp(−½ (x − μ')ᵀ Σ'⁻¹ (x − μ'))
with μ', Σ' the projected 2D mean and covariance (the rasteriser's "conic" is Σ'⁻¹). The rasteriser's
clamp to 0.99 and its 1/255 cut-off are left out here.
"""

import math

import torch


def splat_alpha_2d(X, mu, cov, opacity):
    offset = X[:, None, :] - mu[None, :, :]  # (P, G, 2)
    conic = torch.linalg.inv(cov)  # (G, 2, 2)
    mahalanobis = torch.einsum("pgi,gij,pgj->pg", offset, conic, offset)
    return opacity * torch.exp(-0.5 * mahalanobis)


# ---------------------------------------------------------------- cases (reference process only)

def make_cases(seed):
    cases = [
        _case("Σ' = I at 0, 1, 2 px: α = o, o·e^(−½), o·e^(−2)",
              [[2.0, 3.0], [3.0, 3.0], [2.0, 5.0]], [[2.0, 3.0]], [[[1.0, 0.0], [0.0, 1.0]]], [0.8]),
        _case("Σ' = diag(4, 1): (2, 0) and (0, 1) px give o·e^(−½)",
              [[5.0, 1.0], [3.0, 2.0]], [[3.0, 1.0]], [[[4.0, 0.0], [0.0, 1.0]]], [0.5]),
        _case("correlated Σ' = [[2, 1], [1, 2]] and a round splat",
              [[1.0, 1.0], [2.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [1.5, 0.5]],
              [[[2.0, 1.0], [1.0, 2.0]], [[0.5, 0.0], [0.0, 0.5]]], [0.9, 0.6]),
        _case("one pixel (P = 1) and three splats: still shape (P, G) = (1, 3)",
              [[1.0, 2.0]], [[1.0, 2.0], [0.0, 0.0], [3.0, 1.0]],
              [[[1.0, 0.0], [0.0, 1.0]], [[3.0, -1.0], [-1.0, 2.0]], [[0.25, 0.0], [0.0, 4.0]]], [0.7, 0.4, 0.95]),
    ]
    g = torch.Generator().manual_seed(seed)
    for number in range(1, 9):
        P, G = int(torch.randint(2, 7, (), generator=g)), int(torch.randint(1, 5, (), generator=g))
        mu = 8.0 * torch.rand(G, 2, generator=g, dtype=torch.float64)
        X = mu[torch.randint(0, G, (P,), generator=g)] + 2.0 * torch.randn(P, 2, generator=g, dtype=torch.float64)
        opacity = 0.1 + 0.89 * torch.rand(G, generator=g, dtype=torch.float64)
        cases.append(_case(f"random #{number} (P={P} pixels, G={G} splats)", X, mu, _random_covariances(G, g), opacity))
    return cases


def _random_covariances(G, g):
    """Anisotropic, rotated 2D covariances with standard deviations between ~0.7 and ~2.5 pixels."""
    angle = math.pi * torch.rand(G, generator=g, dtype=torch.float64)
    c, s = torch.cos(angle), torch.sin(angle)
    R = torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)
    variances = 0.5 + 5.5 * torch.rand(G, 2, generator=g, dtype=torch.float64)
    cov = R @ torch.diag_embed(variances) @ R.transpose(-1, -2)
    return 0.5 * (cov + cov.transpose(-1, -2))  # exactly symmetric, as a rasteriser's Σ' is


def _case(name, X, mu, cov, opacity):
    args = {"X": X, "mu": mu, "cov": cov, "opacity": opacity}
    return {"name": name, "args": {k: torch.as_tensor(v, dtype=torch.float64) for k, v in args.items()}}
