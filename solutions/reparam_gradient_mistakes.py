"""Known mistakes for reparam_gradient: one function per mistake id, with the entry point's signature."""

import torch


def _df_dz(z, a, b):
    return 2 * a * z + b


def _samples(mu, logvar, eps):
    sigma = torch.exp(0.5 * logvar)
    return sigma, mu + sigma * eps


def grad_wrt_sigma(mu, logvar, eps, a, b):
    _, z = _samples(mu, logvar, eps)
    df_dz = _df_dz(z, a, b)
    return {"mu": df_dz.mean(dim=0), "logvar": (df_dz * eps).mean(dim=0)}


def missing_eps(mu, logvar, eps, a, b):
    sigma, z = _samples(mu, logvar, eps)
    df_dz = _df_dz(z, a, b)
    return {"mu": df_dz.mean(dim=0), "logvar": df_dz.mean(dim=0) * 0.5 * sigma}


def score_function(mu, logvar, eps, a, b):
    sigma, z = _samples(mu, logvar, eps)
    f = (a * z ** 2 + b * z).sum(dim=-1, keepdim=True)  # (S, 1)
    # ∇_μ log q(z) = (z − μ)/σ² = ε/σ and ∇_logvar log q(z) = ½((z − μ)²/σ² − 1) = ½(ε² − 1).
    return {"mu": (f * eps / sigma).mean(dim=0), "logvar": (f * 0.5 * (eps ** 2 - 1)).mean(dim=0)}


def std_is_exp_logvar(mu, logvar, eps, a, b):
    sigma = torch.exp(logvar)
    df_dz = _df_dz(mu + sigma * eps, a, b)
    return {"mu": df_dz.mean(dim=0), "logvar": (df_dz * eps).mean(dim=0) * sigma}


def missing_half(mu, logvar, eps, a, b):
    sigma, z = _samples(mu, logvar, eps)
    df_dz = _df_dz(z, a, b)
    return {"mu": df_dz.mean(dim=0), "logvar": (df_dz * eps).mean(dim=0) * sigma}


def sum_over_samples(mu, logvar, eps, a, b):
    sigma, z = _samples(mu, logvar, eps)
    df_dz = _df_dz(z, a, b)
    return {"mu": df_dz.sum(dim=0), "logvar": (df_dz * eps).sum(dim=0) * 0.5 * sigma}


def analytic_gradient(mu, logvar, eps, a, b):
    # E[f(z)] = Σ a (μ² + σ²) + b μ with σ² = exp(logvar).
    return {"mu": 2 * a * mu + b, "logvar": a * torch.exp(logvar)}


def missing_factor_two(mu, logvar, eps, a, b):
    sigma, z = _samples(mu, logvar, eps)
    df_dz = a * z + b
    return {"mu": df_dz.mean(dim=0), "logvar": (df_dz * eps).mean(dim=0) * 0.5 * sigma}
