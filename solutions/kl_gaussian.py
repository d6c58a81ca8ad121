"""Reference: KL divergence between two diagonal Gaussians given means and log-variances."""

import torch


def kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    # KL(q‖p) = ½ Σ_j [ log σ²_p − log σ²_q + (σ²_q + (μ_q − μ_p)²) / σ²_p − 1 ]   (per dimension j)
    per_dim = logvar_p - logvar_q + (torch.exp(logvar_q) + (mu_q - mu_p) ** 2) / torch.exp(logvar_p) - 1
    return 0.5 * per_dim.sum(dim=-1)
