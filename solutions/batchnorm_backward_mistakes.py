"""Known mistakes in the batch-norm backward pass; each is the reference with one thing wrong."""

import torch


def _backward(x, gamma, beta, eps, dy, *, stats_dim=0, ddof=0, eps_in_sqrt=True, mean_path=True,
              variance_path=True, variance_path_ddof=0, gamma_in_dx=True, dgamma_normalised=True):
    N = x.shape[stats_dim]
    centred = x - x.mean(dim=stats_dim, keepdim=True)
    var = (centred ** 2).sum(dim=stats_dim, keepdim=True) / (N - ddof)
    inv_std = 1.0 / (torch.sqrt(var + eps) if eps_in_sqrt else torch.sqrt(var) + eps)
    x_hat = centred * inv_std
    upstream = dy * gamma if gamma_in_dx else dy
    total = upstream.clone()
    if mean_path:
        total = total - upstream.mean(dim=stats_dim, keepdim=True)
    if variance_path:
        total = total - x_hat * (upstream * x_hat).sum(dim=stats_dim, keepdim=True) / (N - variance_path_ddof)
    dgamma = (dy * (x_hat if dgamma_normalised else centred)).sum(dim=0)
    return {"dx": inv_std * total, "dgamma": dgamma, "dbeta": dy.sum(dim=0)}


def mean_and_variance_held_constant(*args):
    return _backward(*args, mean_path=False, variance_path=False)


def missing_variance_path(*args):
    return _backward(*args, variance_path=False)


def missing_mean_path(*args):
    return _backward(*args, mean_path=False)


def unbiased_variance(*args):
    """x.var(dim=0) (unbiased by default) plugged into the formula derived for the biased variance."""
    return _backward(*args, ddof=1)


def unbiased_variance_throughout(*args):
    """The exact gradient of a forward pass that normalises with the N − 1 variance."""
    return _backward(*args, ddof=1, variance_path_ddof=1)


def eps_outside_sqrt(*args):
    return _backward(*args, eps_in_sqrt=False)


def gamma_missing_in_dx(*args):
    return _backward(*args, gamma_in_dx=False)


def dgamma_unnormalised(*args):
    return _backward(*args, dgamma_normalised=False)


def normalised_over_features(*args):
    return _backward(*args, stats_dim=1)
