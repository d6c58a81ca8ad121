"""Known mistakes for beta_vae_loss: one function per mistake id, with the entry point's signature."""

import math

import torch


def _squared_error(x, x_hat):
    return ((x - x_hat) ** 2).sum(dim=-1)


def _kl_terms(mu, logvar):
    return 0.5 * (mu ** 2 + torch.exp(logvar) - 1 - logvar)


def _kl(mu, logvar):
    return _kl_terms(mu, logvar).sum(dim=-1)


def _reconstruction(x, x_hat, sigma):
    return _squared_error(x, x_hat) / (2 * sigma ** 2)


def beta_on_reconstruction(x, x_hat, mu, logvar, beta, sigma):
    return beta * _reconstruction(x, x_hat, sigma) + _kl(mu, logvar)


def beta_ignored(x, x_hat, mu, logvar, beta, sigma):
    return _reconstruction(x, x_hat, sigma) + _kl(mu, logvar)


def kl_sign(x, x_hat, mu, logvar, beta, sigma):
    return _reconstruction(x, x_hat, sigma) - beta * _kl(mu, logvar)


def recon_mean_over_dims(x, x_hat, mu, logvar, beta, sigma):
    return ((x - x_hat) ** 2).mean(dim=-1) / (2 * sigma ** 2) + beta * _kl(mu, logvar)


def kl_mean_over_latents(x, x_hat, mu, logvar, beta, sigma):
    return _reconstruction(x, x_hat, sigma) + beta * _kl_terms(mu, logvar).mean(dim=-1)


def missing_half_recon(x, x_hat, mu, logvar, beta, sigma):
    return _squared_error(x, x_hat) / sigma ** 2 + beta * _kl(mu, logvar)


def sigma_not_squared(x, x_hat, mu, logvar, beta, sigma):
    return _squared_error(x, x_hat) / (2 * sigma) + beta * _kl(mu, logvar)


def kept_normaliser(x, x_hat, mu, logvar, beta, sigma):
    normaliser = 0.5 * x.shape[-1] * math.log(2 * math.pi * sigma ** 2)
    return _reconstruction(x, x_hat, sigma) + normaliser + beta * _kl(mu, logvar)


def batch_mean(x, x_hat, mu, logvar, beta, sigma):
    return (_reconstruction(x, x_hat, sigma) + beta * _kl(mu, logvar)).mean()
