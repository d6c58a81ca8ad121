"""Known mistakes in sampling q(x_t | x_0); each is the reference with one thing wrong."""

import torch


def _per_sample(values, x0):
    """A (B,) tensor shaped (B, 1, …, 1) so that it scales each sample of x0."""
    return values.reshape(-1, *[1] * (x0.dim() - 1))


def _mix(x0, eps, signal_scale, noise_scale):
    return _per_sample(signal_scale, x0) * x0 + _per_sample(noise_scale, x0) * eps


def alpha_not_alpha_bar(x0, betas, t, eps):
    alpha = (1 - betas)[t - 1]
    return _mix(x0, eps, torch.sqrt(alpha), torch.sqrt(1 - alpha))


def t_zero_based(x0, betas, t, eps):
    alpha_bar = torch.cumprod(1 - betas, dim=0)[t]  # ᾱ_{t+1}; raises IndexError when t = T
    return _mix(x0, eps, torch.sqrt(alpha_bar), torch.sqrt(1 - alpha_bar))


def no_sqrt_on_noise(x0, betas, t, eps):
    alpha_bar = torch.cumprod(1 - betas, dim=0)[t - 1]
    return _mix(x0, eps, torch.sqrt(alpha_bar), 1 - alpha_bar)


def no_sqrt_on_signal(x0, betas, t, eps):
    alpha_bar = torch.cumprod(1 - betas, dim=0)[t - 1]
    return _mix(x0, eps, alpha_bar, torch.sqrt(1 - alpha_bar))


def alpha_bar_as_sum(x0, betas, t, eps):
    alpha_bar = torch.cumsum(1 - betas, dim=0)[t - 1]  # exceeds 1 from t = 2 on: √ of a negative is nan
    return _mix(x0, eps, torch.sqrt(alpha_bar), torch.sqrt(1 - alpha_bar))


def first_t_for_batch(x0, betas, t, eps):
    alpha_bar = torch.cumprod(1 - betas, dim=0)[t[0] - 1]
    return torch.sqrt(alpha_bar) * x0 + torch.sqrt(1 - alpha_bar) * eps
