"""Reference: the DDPM "simple" training loss for one batch (Ho et al. 2020, Algorithm 1 and eq. 14),
with a fixed linear noise predictor ε_θ(x, t) = x W + t c."""

import torch


def ddpm_loss(x0, betas, t, eps, W, c):
    """Per-sample ‖ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t)‖², summed over the D coordinates; shape (B,)."""
    alpha_bar = torch.cumprod(1 - betas, dim=0)[t - 1].unsqueeze(-1)  # (B, 1), steps are 1-based
    x_t = torch.sqrt(alpha_bar) * x0 + torch.sqrt(1 - alpha_bar) * eps  # q(x_t | x_0), eq. 4
    predicted = x_t @ W + t.unsqueeze(-1) * c  # ε_θ(x_t, t)
    return ((eps - predicted) ** 2).sum(dim=-1)
