"""Known mistakes in the 2D splat opacity α = o · exp(−½ dᵀ Σ'⁻¹ d), d = x − μ'."""

import math

import torch


def _alpha(X, mu, cov, opacity, *, matrix=torch.linalg.inv, half=0.5, use_opacity=True, density=False):
    """α with the quadratic form's matrix `matrix(cov)`, the factor `half`, optional opacity and 1/(2π√det)."""
    offset = X[:, None, :] - mu[None, :, :]
    power = half * torch.einsum("pgi,gij,pgj->pg", offset, matrix(cov), offset)
    scale = opacity if use_opacity else torch.ones_like(opacity)
    if density:
        scale = scale / (2 * math.pi * torch.sqrt(torch.linalg.det(cov)))
    return scale * torch.exp(-power)


def covariance_not_inverted(X, mu, cov, opacity):
    return _alpha(X, mu, cov, opacity, matrix=lambda c: c)


def elementwise_inverse(X, mu, cov, opacity):
    return _alpha(X, mu, cov, opacity, matrix=lambda c: 1.0 / c)


def isotropic(X, mu, cov, opacity):
    return _alpha(X, mu, cov, opacity, matrix=lambda c: torch.eye(2, dtype=c.dtype).expand_as(c))


def missing_half(X, mu, cov, opacity):
    return _alpha(X, mu, cov, opacity, half=1.0)


def missing_opacity(X, mu, cov, opacity):
    return _alpha(X, mu, cov, opacity, use_opacity=False)


def normalised_density(X, mu, cov, opacity):
    return _alpha(X, mu, cov, opacity, density=True)


def transposed_output(X, mu, cov, opacity):
    return _alpha(X, mu, cov, opacity).T
