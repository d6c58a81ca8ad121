"""Reference for gan_nonsaturating_loss: the generator's non-saturating loss (Goodfellow et al. 2014, §3).

L_G = −mean_k log D(G(z_k)) with D = sigmoid(ℓ): −log sigmoid(ℓ) = softplus(−ℓ), evaluated stably,
and ∂L_G/∂ℓ_k = −sigmoid(−ℓ_k)/M since d/dℓ softplus(−ℓ) = −sigmoid(−ℓ).
"""

import torch


def gan_nonsaturating_loss(fake_logits):
    count = fake_logits.shape[0]
    loss = _softplus(-fake_logits).mean()
    grad = -torch.sigmoid(-fake_logits) / count
    return loss, grad


def _softplus(t):
    """log(1 + e^t) without overflow."""
    return torch.clamp(t, min=0) + torch.log1p(torch.exp(-t.abs()))
