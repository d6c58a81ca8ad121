"""Known wrong versions of vae_elbo, one per misconception."""

import torch
import torch.nn.functional as F


def _logits(z, W_dec, b_dec):
    return z @ W_dec.T + b_dec


def _stable_log_likelihood(x, logits):
    return (x * logits - torch.logaddexp(logits, torch.zeros_like(logits))).sum(dim=-1)


def _kl_to_standard_normal(mu, logvar):
    return 0.5 * (mu ** 2 + torch.exp(logvar) - 1 - logvar).sum(dim=-1)


def _log_likelihood(x, mu, logvar, eps, W_dec, b_dec):
    return _stable_log_likelihood(x, _logits(mu + torch.exp(0.5 * logvar) * eps, W_dec, b_dec))


def std_is_exp_logvar(x, mu, logvar, eps, W_dec, b_dec):
    z = mu + torch.exp(logvar) * eps
    return _stable_log_likelihood(x, _logits(z, W_dec, b_dec)) - _kl_to_standard_normal(mu, logvar)


def plus_kl(x, mu, logvar, eps, W_dec, b_dec):
    return _log_likelihood(x, mu, logvar, eps, W_dec, b_dec) + _kl_to_standard_normal(mu, logvar)


def z_equals_mu(x, mu, logvar, eps, W_dec, b_dec):
    return _stable_log_likelihood(x, _logits(mu, W_dec, b_dec)) - _kl_to_standard_normal(mu, logvar)


def naive_log_sigmoid(x, mu, logvar, eps, W_dec, b_dec):
    p = torch.sigmoid(_logits(mu + torch.exp(0.5 * logvar) * eps, W_dec, b_dec))
    log_likelihood = (x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(dim=-1)
    return log_likelihood - _kl_to_standard_normal(mu, logvar)


def naive_log_sigmoid_selected(x, mu, logvar, eps, W_dec, b_dec):
    p = torch.sigmoid(_logits(mu + torch.exp(0.5 * logvar) * eps, W_dec, b_dec))
    log_likelihood = torch.where(x == 1, torch.log(p), torch.log(1 - p)).sum(dim=-1)
    return log_likelihood - _kl_to_standard_normal(mu, logvar)


def naive_softplus(x, mu, logvar, eps, W_dec, b_dec):
    logits = _logits(mu + torch.exp(0.5 * logvar) * eps, W_dec, b_dec)
    log_likelihood = (x * logits - torch.log(1 + torch.exp(logits))).sum(dim=-1)
    return log_likelihood - _kl_to_standard_normal(mu, logvar)


def bce_on_probabilities(x, mu, logvar, eps, W_dec, b_dec):
    p = torch.sigmoid(_logits(mu + torch.exp(0.5 * logvar) * eps, W_dec, b_dec))
    log_likelihood = -F.binary_cross_entropy(p, x, reduction="none").sum(dim=-1)  # clamps log at −100
    return log_likelihood - _kl_to_standard_normal(mu, logvar)


def batch_mean(x, mu, logvar, eps, W_dec, b_dec):
    return (_log_likelihood(x, mu, logvar, eps, W_dec, b_dec) - _kl_to_standard_normal(mu, logvar)).mean()


def returned_loss(x, mu, logvar, eps, W_dec, b_dec):
    return _kl_to_standard_normal(mu, logvar) - _log_likelihood(x, mu, logvar, eps, W_dec, b_dec)


def likelihood_mean_over_d(x, mu, logvar, eps, W_dec, b_dec):
    return _log_likelihood(x, mu, logvar, eps, W_dec, b_dec) / x.shape[-1] - _kl_to_standard_normal(mu, logvar)
