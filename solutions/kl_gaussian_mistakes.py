"""Known wrong versions of kl_diag_gaussians, one per misconception."""

import torch


def _kl_terms(mu_q, logvar_q, mu_p, logvar_p):
    return logvar_p - logvar_q + (torch.exp(logvar_q) + (mu_q - mu_p) ** 2) / torch.exp(logvar_p) - 1


def swapped_direction(mu_q, logvar_q, mu_p, logvar_p):
    return 0.5 * _kl_terms(mu_p, logvar_p, mu_q, logvar_q).sum(dim=-1)


def missing_minus_one(mu_q, logvar_q, mu_p, logvar_p):
    return 0.5 * (_kl_terms(mu_q, logvar_q, mu_p, logvar_p) + 1).sum(dim=-1)


def std_as_variance(mu_q, logvar_q, mu_p, logvar_p):
    std_q, std_p = torch.exp(0.5 * logvar_q), torch.exp(0.5 * logvar_p)
    return 0.5 * (logvar_p - logvar_q + (std_q + (mu_q - mu_p) ** 2) / std_p - 1).sum(dim=-1)


def mean_over_j(mu_q, logvar_q, mu_p, logvar_p):
    return 0.5 * _kl_terms(mu_q, logvar_q, mu_p, logvar_p).mean(dim=-1)


def missing_half(mu_q, logvar_q, mu_p, logvar_p):
    return _kl_terms(mu_q, logvar_q, mu_p, logvar_p).sum(dim=-1)


def log_ratio_flipped(mu_q, logvar_q, mu_p, logvar_p):
    ratio_terms = _kl_terms(mu_q, logvar_q, mu_p, logvar_p) - (logvar_p - logvar_q)
    return 0.5 * (logvar_q - logvar_p + ratio_terms).sum(dim=-1)


def forgot_sum(mu_q, logvar_q, mu_p, logvar_p):
    return 0.5 * _kl_terms(mu_q, logvar_q, mu_p, logvar_p)
