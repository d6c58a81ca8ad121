import torch


def ddpm_sample(eps_model, betas, x_T, noise):
    """DDPM ancestral sampling (Ho et al. 2020, Algorithm 2) with σ_t² = β_t; returns x_0."""
    alphas = 1 - betas
    alpha_bars = torch.cumprod(alphas, dim=0)
    x = x_T
    for t in range(len(betas), 0, -1):  # t = T … 1; step t lives at index t − 1
        alpha, alpha_bar = alphas[t - 1], alpha_bars[t - 1]
        eps = eps_model(x, t)
        x = (x - (1 - alpha) / torch.sqrt(1 - alpha_bar) * eps) / torch.sqrt(alpha)
        if t > 1:
            x = x + torch.sqrt(betas[t - 1]) * noise[t - 1]
    return x
