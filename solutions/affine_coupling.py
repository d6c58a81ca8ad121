"""Reference for affine_coupling: the Real NVP affine coupling layer, both directions.

Dinh et al. 2017 (Real NVP), eqs. 4–6 (forward, Jacobian, log-det) and eqs. 8–9 (inverse):
    y_{1:d} = x_{1:d},  y_{d+1:D} = x_{d+1:D} ⊙ exp(s(x_{1:d})) + t(x_{1:d}),  log|det| = Σ_j s(x_{1:d})_j
    x_{1:d} = y_{1:d},  x_{d+1:D} = (y_{d+1:D} − t(y_{1:d})) ⊙ exp(−s(y_{1:d}))
Here s and t are fixed linear maps: s(u) = tanh(u W_s + b_s), t(u) = u W_t + b_t.
"""

import torch


def scale_and_shift(cond, W_s, b_s, W_t, b_t):
    """s and t of the conditioning half: (B, d) -> two (B, D − d) tensors."""
    return torch.tanh(cond @ W_s + b_s), cond @ W_t + b_t


def affine_coupling(x, y, d, W_s, b_s, W_t, b_t):
    s, t = scale_and_shift(x[:, :d], W_s, b_s, W_t, b_t)
    forward = torch.cat([x[:, :d], x[:, d:] * torch.exp(s) + t], dim=1)
    s_inv, t_inv = scale_and_shift(y[:, :d], W_s, b_s, W_t, b_t)  # y_{1:d} = x_{1:d}: the same s, t
    inverse = torch.cat([y[:, :d], (y[:, d:] - t_inv) * torch.exp(-s_inv)], dim=1)
    return {"forward": forward, "log_det": s.sum(dim=1), "inverse": inverse}


def make_cases(seed):
    """Readable edge cases, then random layers with every split 1 ≤ d < D (d = D/2 and not)."""
    cases = [
        _case("additive coupling (s = 0): y₂ = x₂ + t(x₁), D = 2, d = 1",
              x=[[1.0, 2.0]], y=[[1.0, 3.5]], d=1,
              W_s=[[0.0]], b_s=[0.0], W_t=[[1.0]], b_t=[0.5]),
        _case("one scaled dimension: D = 2, d = 1, s(x₁) = tanh(x₁)",
              x=[[0.5, 1.0], [-1.0, 2.0]], y=[[0.5, 1.0], [2.0, -1.0]], d=1,
              W_s=[[1.0]], b_s=[0.0], W_t=[[2.0]], b_t=[-1.0]),
        _case("first two of three dimensions pass through: D = 3, d = 2",
              x=[[1.0, -1.0, 0.5]], y=[[0.0, 2.0, 1.0]], d=2,
              W_s=[[0.5], [1.0]], b_s=[0.25], W_t=[[1.0], [0.0]], b_t=[0.0]),
    ]
    gen = torch.Generator().manual_seed(seed)
    for number, (B, D, d) in enumerate([(2, 4, 2), (3, 4, 1), (1, 5, 3), (4, 6, 3), (2, 3, 1),
                                        (3, 6, 2), (2, 5, 4), (4, 2, 1)], start=1):
        args = {"x": _randn(gen, B, D, std=1.5), "y": _randn(gen, B, D, std=1.5), "d": d,
                "W_s": _randn(gen, d, D - d, std=0.8), "b_s": _randn(gen, D - d, std=0.5),
                "W_t": _randn(gen, d, D - d), "b_t": _randn(gen, D - d, std=0.5)}
        cases.append({"name": f"random #{number} (B={B}, D={D}, d={d})", "args": args})
    return cases


def _case(name, d, **tensors):
    args = {k: torch.tensor(v, dtype=torch.float64) for k, v in tensors.items()}
    return {"name": name, "args": {"x": args["x"], "y": args["y"], "d": d,
                                   **{k: args[k] for k in ("W_s", "b_s", "W_t", "b_t")}}}


def _randn(gen, *shape, std=1.0):
    return std * torch.randn(*shape, generator=gen, dtype=torch.float64)
