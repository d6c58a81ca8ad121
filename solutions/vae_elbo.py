"""Reference: single-sample ELBO of a VAE with a Bernoulli decoder (Kingma & Welling 2014, eq. 10)."""

import torch


def vae_elbo(x, mu, logvar, eps, W_dec, b_dec):
    z = mu + torch.exp(0.5 * logvar) * eps  # reparameterisation: z ~ q(z|x) = N(mu, diag exp(logvar))
    logits = z @ W_dec.T + b_dec
    log_likelihood = (x * logits - _softplus(logits)).sum(dim=-1)
    kl = 0.5 * (mu ** 2 + torch.exp(logvar) - 1 - logvar).sum(dim=-1)  # KL(q‖N(0, I)), Appendix B
    return log_likelihood - kl


def _softplus(t):
    """log(1 + e^t) without overflow: log σ(l) = −softplus(−l) and log(1 − σ(l)) = −softplus(l)."""
    return torch.clamp(t, min=0) + torch.log1p(torch.exp(-t.abs()))
