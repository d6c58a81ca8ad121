"""Reference for beta_vae_loss: the negative β-VAE objective with a fixed-variance Gaussian decoder.

Higgins et al. 2017 (β-VAE), eq. 4: F = E_q[log p(x|z)] − β·KL(q(z|x) ‖ p(z)); the loss is −F.
−log N(x; x̂, σ²I) = ‖x − x̂‖²/(2σ²) + (D/2)·log(2πσ²), the constant dropped; the Gaussian KL to
N(0, I) in closed form as in Kingma & Welling 2014, Appendix B.
"""

import torch


def beta_vae_loss(x, x_hat, mu, logvar, beta, sigma):
    reconstruction = ((x - x_hat) ** 2).sum(dim=-1) / (2 * sigma ** 2)
    kl = 0.5 * (mu ** 2 + torch.exp(logvar) - 1 - logvar).sum(dim=-1)
    return reconstruction + beta * kl
