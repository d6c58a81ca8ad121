"""Callables handed to students, rebuilt from their parameters in every process.

A case argument `{callable: make_xxx, params: {...}}` (or a `CallableRef` from a case generator)
is turned into a function by calling `make_xxx(**params)`. Factories must be deterministic: the
reference and the student worker each build their own copy and must get the same function.
Keep this a plain module of documented factories (torch and the standard library only).
"""

from __future__ import annotations

import math
import numbers

import torch


# ---------------------------------------------------------------- diffusion (ddpm_sampling)

def make_eps_model(T: int, scale: float, freq: float, phase: float, mix: float):
    """A fixed noise predictor ε_θ(x, t) for a T-step diffusion, elementwise in x.

    ε_θ(x, t) = scale · tanh(g_t · x + c_t) + mix · x, with g_t = 1.5 sin(freq · t + phase) and
    c_t = cos(2 freq · t). The time factors change a lot from one step to the next, so a sampler
    that calls the model at the wrong t gets a visibly different result. Accepts t as a Python int
    or a 0-dim integer tensor in 1…T and raises ValueError otherwise.
    """
    def eps_model(x: torch.Tensor, t) -> torch.Tensor:
        step = _timestep(t, T)
        gain = 1.5 * math.sin(freq * step + phase)
        offset = math.cos(2.0 * freq * step)
        return scale * torch.tanh(gain * x + offset) + mix * x

    return eps_model


def _timestep(t, T: int) -> int:
    """t as a Python int, or a ValueError that explains the 1-based convention."""
    if isinstance(t, torch.Tensor):
        if t.dim() != 0 or t.dtype.is_floating_point or t.dtype.is_complex or t.dtype == torch.bool:
            raise ValueError(f"eps_model: t must be an integer (a Python int or a 0-dim integer tensor), "
                             f"got a tensor of dtype {t.dtype} and shape {list(t.shape)}")
        t = int(t.item())
    elif isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise ValueError(f"eps_model: t must be an integer timestep, got {type(t).__name__} {t!r}")
    t = int(t)
    if not 1 <= t <= T:
        raise ValueError(f"eps_model: t={t} is outside 1…{T}. Timesteps are 1-based: call eps_model(x_t, t) "
                         f"for t = T, T−1, …, 1 (here T = {T}); a loop over range(T) must pass t + 1. "
                         f"The values of step t are betas[t-1] and noise[t-1].")
    return t


# ---------------------------------------------------------------- implicit surfaces (implicit_surface_grad)
# Each surface is f(p, theta) -> signed value, negative inside; p has shape (..., 3), the result
# shape (...). They are differentiable in both p and theta (float64 throughout).

def make_sphere_sdf():
    """Signed distance to a sphere: theta = (cx, cy, cz, r), f(p, θ) = ‖p − c‖ − r."""
    def sphere(p: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
        return torch.linalg.vector_norm(p - theta[:3], dim=-1) - theta[3]

    return sphere


def make_quadric():
    """An ellipsoid-like quadric: theta = (q11, q22, q33, q12, q13, q23, m1, m2, m3).

    f(p, θ) = (p − m)ᵀ Q (p − m) − 1, with Q the symmetric matrix of the six q entries.
    """
    def quadric(p: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
        q11, q22, q33, q12, q13, q23 = theta[:6]
        Q = torch.stack([torch.stack([q11, q12, q13]),
                         torch.stack([q12, q22, q23]),
                         torch.stack([q13, q23, q33])])
        u = p - theta[6:9]
        return torch.einsum("...i,ij,...j->...", u, Q, u) - 1.0

    return quadric


def mlp_parameter_count(hidden: int) -> int:
    """Length of theta for make_mlp_surface(hidden, ...): W1 (hidden, 3), b1, w2 (hidden,), b2."""
    return 5 * hidden + 1


def make_mlp_surface(hidden: int, radius: float):
    """A bumpy sphere: f(p, θ) = ‖p‖ − radius + w2 · tanh(W1 p + b1) + b2.

    theta is the flattened MLP weights [W1 (hidden×3, row-major), b1 (hidden), w2 (hidden), b2],
    of length mlp_parameter_count(hidden). The sphere term keeps the zero set a closed surface.
    """
    def mlp_surface(p: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
        W1 = theta[: 3 * hidden].reshape(hidden, 3)
        b1 = theta[3 * hidden: 4 * hidden]
        w2 = theta[4 * hidden: 5 * hidden]
        b2 = theta[5 * hidden]
        features = torch.tanh(p @ W1.T + b1)
        return torch.linalg.vector_norm(p, dim=-1) - radius + features @ w2 + b2

    return mlp_surface
