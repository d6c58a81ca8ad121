"""Known mistakes in NeRF's volume rendering weights; each returns (weights, colour) like the reference."""

import torch


def _render(sigma, t, colors, *, alpha_of=None, transmittance_of=None, weights_of=None):
    """The reference with one ingredient swapped: alpha_of(σ, δ), transmittance_of(α, t), weights_of(T, α)."""
    delta = t[:, 1:] - t[:, :-1]
    alpha = (alpha_of or (lambda s, d: 1.0 - torch.exp(-s * d)))(sigma, delta)
    transmittance = (transmittance_of or _exclusive_transmittance)(alpha, t)
    weights = (weights_of or (lambda T, a: T * a))(transmittance, alpha)
    return weights, (weights[..., None] * colors).sum(dim=-2)


def _exclusive_transmittance(alpha, t):
    ones = torch.ones_like(alpha[:, :1])
    return torch.cumprod(torch.cat([ones, 1.0 - alpha[:, :-1]], dim=-1), dim=-1)


def inclusive_transmittance(sigma, t, colors):
    return _render(sigma, t, colors, transmittance_of=lambda a, t: torch.cumprod(1.0 - a, dim=-1))


def no_exponential(sigma, t, colors):
    return _render(sigma, t, colors, alpha_of=lambda s, d: s * d)


def forgot_alpha(sigma, t, colors):
    return _render(sigma, t, colors, weights_of=lambda T, a: T)


def forgot_transmittance(sigma, t, colors):
    return _render(sigma, t, colors, weights_of=lambda T, a: a)


def transmittance_from_depths(sigma, t, colors):
    """The notes' typo T_i = Π_{j<i} (1 − t_j)."""
    return _render(sigma, t, colors, transmittance_of=lambda a, t: _exclusive_transmittance(t[:, :-1], t))


def delta_ignored(sigma, t, colors):
    return _render(sigma, t, colors, alpha_of=lambda s, d: 1.0 - torch.exp(-s))


def normalised_weights(sigma, t, colors):
    return _render(sigma, t, colors, weights_of=lambda T, a: T * a / (T * a).sum(dim=-1, keepdim=True))
