"""Reference: sampling the DDPM forward process in closed form, q(x_t | x_0) (Ho et al. 2020, eq. 4)."""

import torch


def q_sample(x0, betas, t, eps):
    """x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, each sample of the batch at its own 1-based step t."""
    alpha_bars = torch.cumprod(1 - betas, dim=0)  # ᾱ_t = α_1 ⋯ α_t, stored at index t − 1
    alpha_bar = alpha_bars[t - 1].reshape(-1, *[1] * (x0.dim() - 1))  # (B, 1, …): broadcast per sample
    return torch.sqrt(alpha_bar) * x0 + torch.sqrt(1 - alpha_bar) * eps
