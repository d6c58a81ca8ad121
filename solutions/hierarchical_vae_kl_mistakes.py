"""Known mistakes for hierarchical_vae_kl: one function per mistake id, with the entry point's signature."""

import torch


def _kl_terms(mu_q, logvar_q, mu_p, logvar_p):
    ratio = (torch.exp(logvar_q) + (mu_q - mu_p) ** 2) / torch.exp(logvar_p)
    return 0.5 * (logvar_p - logvar_q + ratio - 1)


def _kl(mu_q, logvar_q, mu_p, logvar_p):
    return _kl_terms(mu_q, logvar_q, mu_p, logvar_p).sum(dim=-1)


def _prior(z2, W_mu, b_mu, W_lv, b_lv):
    return z2 @ W_mu.T + b_mu, z2 @ W_lv.T + b_lv


def _z2(mu2, logvar2, eps2):
    return mu2 + torch.exp(0.5 * logvar2) * eps2


def _kl_top(mu2, logvar2):
    zeros = torch.zeros_like(mu2)
    return _kl(mu2, logvar2, zeros, zeros)


def _result(kl_top, kl_bottom):
    return {"kl_top": kl_top, "kl_bottom": kl_bottom}


def bottom_prior_standard_normal(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    zeros = torch.zeros_like(mu1)
    return _result(_kl_top(mu2, logvar2), _kl(mu1, logvar1, zeros, zeros))


def bottom_direction_swapped(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    prior_mu, prior_logvar = _prior(_z2(mu2, logvar2, eps2), W_mu, b_mu, W_lv, b_lv)
    return _result(_kl_top(mu2, logvar2), _kl(prior_mu, prior_logvar, mu1, logvar1))


def top_direction_swapped(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    prior_mu, prior_logvar = _prior(_z2(mu2, logvar2, eps2), W_mu, b_mu, W_lv, b_lv)
    zeros = torch.zeros_like(mu2)
    return _result(_kl(zeros, zeros, mu2, logvar2), _kl(mu1, logvar1, prior_mu, prior_logvar))


def z2_is_mu(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    prior_mu, prior_logvar = _prior(mu2, W_mu, b_mu, W_lv, b_lv)
    return _result(_kl_top(mu2, logvar2), _kl(mu1, logvar1, prior_mu, prior_logvar))


def std_is_exp_logvar(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    prior_mu, prior_logvar = _prior(mu2 + torch.exp(logvar2) * eps2, W_mu, b_mu, W_lv, b_lv)
    return _result(_kl_top(mu2, logvar2), _kl(mu1, logvar1, prior_mu, prior_logvar))


def prior_logvar_as_log_std(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    prior_mu, prior_log_std = _prior(_z2(mu2, logvar2, eps2), W_mu, b_mu, W_lv, b_lv)
    return _result(_kl_top(mu2, logvar2), _kl(mu1, logvar1, prior_mu, 2 * prior_log_std))


def kl_mean_over_latents(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    prior_mu, prior_logvar = _prior(_z2(mu2, logvar2, eps2), W_mu, b_mu, W_lv, b_lv)
    zeros = torch.zeros_like(mu2)
    return _result(_kl_terms(mu2, logvar2, zeros, zeros).mean(dim=-1),
                   _kl_terms(mu1, logvar1, prior_mu, prior_logvar).mean(dim=-1))


def terms_swapped(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    prior_mu, prior_logvar = _prior(_z2(mu2, logvar2, eps2), W_mu, b_mu, W_lv, b_lv)
    return _result(_kl(mu1, logvar1, prior_mu, prior_logvar), _kl_top(mu2, logvar2))
