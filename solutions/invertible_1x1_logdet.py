"""Reference for invertible_1x1_logdet: Glow's invertible 1×1 convolution in LU form.

Kingma & Dhariwal 2018 (Glow), Sec. 3.2 and Table 1: W = P L (U + diag(s)) with P a permutation,
L unit lower-triangular, U strictly upper-triangular; log |det W| = Σ log |s|, and the 1×1
convolution applies W at all h·w positions, so its log-determinant is h·w·Σ log |s|.
"""

import torch


def invertible_1x1_logdet(P, L, U, s, h, w):
    W = P @ L @ (U + torch.diag(s))
    return W, h * w * torch.log(torch.abs(s)).sum()


def make_cases(seed):
    """Readable edge cases, then random LU parameterisations; s has mixed signs throughout."""
    cases = [
        _case("one channel: W = s = −2 on a 3 × 2 image",
              P=[[1.0]], L=[[1.0]], U=[[0.0]], s=[-2.0], h=3, w=2),
        _case("two channels, swapped by P, on a 2 × 2 image",
              P=[[0.0, 1.0], [1.0, 0.0]], L=[[1.0, 0.0], [0.5, 1.0]], U=[[0.0, 2.0], [0.0, 0.0]],
              s=[1.5, -0.5], h=2, w=2),
        _case("three channels, P = I, on a 1 × 4 image",
              P=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
              L=[[1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [2.0, 0.5, 1.0]],
              U=[[0.0, 1.0, -1.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]],
              s=[2.0, 0.25, -1.0], h=1, w=4),
    ]
    gen = torch.Generator().manual_seed(seed)
    for number, (c, h, w) in enumerate([(2, 3, 3), (3, 4, 2), (4, 2, 5), (5, 8, 8), (3, 1, 1),
                                        (4, 6, 3), (2, 16, 16), (5, 3, 7)], start=1):
        cases.append({"name": f"random #{number} (c={c}, h={h}, w={w})", "args": _random_lu(gen, c, h, w)})
    return cases


def _random_lu(gen, c, h, w):
    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=torch.float64)

    P = torch.eye(c, dtype=torch.float64)[torch.randperm(c, generator=gen)]
    L = torch.tril(randn(c, c), diagonal=-1) + torch.eye(c, dtype=torch.float64)
    U = torch.triu(randn(c, c), diagonal=1)
    sign = torch.where(torch.rand(c, generator=gen) < 0.5, -1.0, 1.0).double()
    sign[0] = -1.0  # at least one negative scale in every case
    magnitude = 0.3 + 1.7 * torch.rand(c, generator=gen, dtype=torch.float64)
    return {"P": P, "L": L, "U": U, "s": sign * magnitude, "h": h, "w": w}


def _case(name, h, w, **matrices):
    args = {k: torch.tensor(v, dtype=torch.float64) for k, v in matrices.items()}
    return {"name": name, "args": {**args, "h": h, "w": w}}
