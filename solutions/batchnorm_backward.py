"""Reference for batchnorm_backward: the training-mode batch-norm transform and its gradients
(Ioffe & Szegedy 2015, Alg. 1 and the chain rule of §3), with the biased batch variance.

    μ = mean_n x,  σ² = mean_n (x − μ)²,  x̂ = (x − μ)/√(σ² + ε),  y = γ x̂ + β

Collecting the three paths from x_i to the loss (direct, through μ, through σ²) gives
    ∂L/∂x = γ/√(σ² + ε) · (dy − mean_n dy − x̂ · mean_n(dy ⊙ x̂)).
"""

import torch


def batchnorm_backward(x, gamma, beta, eps, dy):
    centred = x - x.mean(dim=0)
    inv_std = 1.0 / torch.sqrt((centred ** 2).mean(dim=0) + eps)
    x_hat = centred * inv_std
    dx = gamma * inv_std * (dy - dy.mean(dim=0) - x_hat * (dy * x_hat).mean(dim=0))
    return {"dx": dx, "dgamma": (dy * x_hat).sum(dim=0), "dbeta": dy.sum(dim=0)}
