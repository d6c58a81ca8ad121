"""Known mistakes in DDPM sampling; each is the reference sampler with one thing wrong."""

import torch


def _sample(eps_model, betas, x_T, noise, *, noise_scale="sqrt_one_minus_alpha_bar", divide_by="alpha",
            noise_at_t1=False, ascending=False, sigma="sqrt_beta", noise_index="t-1", model_t_offset=0):
    T = len(betas)
    alphas = 1 - betas
    alpha_bars = torch.cumprod(alphas, dim=0)
    x = x_T
    steps = range(1, T + 1) if ascending else range(T, 0, -1)
    for t in steps:
        i = t - 1
        alpha, alpha_bar, beta = alphas[i], alpha_bars[i], betas[i]
        eps = eps_model(x, t + model_t_offset)
        denominator = torch.sqrt(1 - alpha_bar if noise_scale == "sqrt_one_minus_alpha_bar" else 1 - alpha)
        x = (x - (1 - alpha) / denominator * eps) / torch.sqrt(alpha if divide_by == "alpha" else alpha_bar)
        if t > 1 or noise_at_t1:
            x = x + _sigma(sigma, beta, alpha_bars, i) * noise[i if noise_index == "t-1" else T - t]
    return x


def _sigma(kind, beta, alpha_bars, i):
    if kind == "beta":
        return beta
    if kind == "posterior" and i > 0:  # β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t
        return torch.sqrt((1 - alpha_bars[i - 1]) / (1 - alpha_bars[i]) * beta)
    return torch.sqrt(beta)


def sqrt_one_minus_alpha(*args):
    return _sample(*args, noise_scale="sqrt_one_minus_alpha")


def alpha_bar_scaling(*args):
    return _sample(*args, divide_by="alpha_bar")


def noise_added_at_t1(*args):
    return _sample(*args, noise_at_t1=True)


def ascending_time(*args):
    return _sample(*args, ascending=True)


def sigma_equals_beta(*args):
    return _sample(*args, sigma="beta")


def posterior_variance_sigma(*args):
    return _sample(*args, sigma="posterior")


def noise_in_loop_order(*args):
    return _sample(*args, noise_index="loop")


def t_zero_based(*args):
    return _sample(*args, model_t_offset=-1)
