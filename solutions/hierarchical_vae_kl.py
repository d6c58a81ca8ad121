"""Reference for hierarchical_vae_kl: the KL part of a two-level hierarchical VAE's ELBO.

Generative model p(z₂) p(z₁|z₂) p(x|z₁) (the top-down prior of Sønderby et al. 2016, Ladder VAE,
eq. 1) with a factorised encoder q(z₁|x) q(z₂|x): E_q[log q − log p] = KL(q(z₂|x) ‖ p(z₂)) +
E_{q(z₂|x)}[KL(q(z₁|x) ‖ p(z₁|z₂))], the expectation estimated with one reparameterised sample
(Kingma & Welling 2014, §2.4) and every Gaussian KL in closed form.
"""

import torch


def hierarchical_vae_kl(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    z2 = mu2 + torch.exp(0.5 * logvar2) * eps2
    prior_mu, prior_logvar = z2 @ W_mu.T + b_mu, z2 @ W_lv.T + b_lv
    zeros = torch.zeros_like(mu2)
    return {
        "kl_top": kl_diag_gaussians(mu2, logvar2, zeros, zeros),
        "kl_bottom": kl_diag_gaussians(mu1, logvar1, prior_mu, prior_logvar),
    }


def kl_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    """KL(N(mu_q, diag e^logvar_q) ‖ N(mu_p, diag e^logvar_p)), summed over the last dimension."""
    ratio = (torch.exp(logvar_q) + (mu_q - mu_p) ** 2) / torch.exp(logvar_p)
    return 0.5 * (logvar_p - logvar_q + ratio - 1).sum(dim=-1)
