"""Known mistakes in the DDPM training loss; each is the reference with one thing wrong."""

import torch


def _alpha_bar(betas, t):
    return torch.cumprod(1 - betas, dim=0)[t - 1].unsqueeze(-1)


def _noised(x0, betas, t, eps):
    alpha_bar = _alpha_bar(betas, t)
    return torch.sqrt(alpha_bar) * x0 + torch.sqrt(1 - alpha_bar) * eps


def _eps_model(x, t, W, c):
    return x @ W + t.unsqueeze(-1) * c


def _squared_error(target, predicted):
    return ((target - predicted) ** 2).sum(dim=-1)


def alpha_not_alpha_bar(x0, betas, t, eps, W, c):
    alpha = (1 - betas)[t - 1].unsqueeze(-1)  # the course notes' typo: √α_t instead of √ᾱ_t
    x_t = torch.sqrt(alpha) * x0 + torch.sqrt(1 - alpha) * eps
    return _squared_error(eps, _eps_model(x_t, t, W, c))


def target_is_x0(x0, betas, t, eps, W, c):
    return _squared_error(x0, _eps_model(_noised(x0, betas, t, eps), t, W, c))


def model_sees_x0(x0, betas, t, eps, W, c):
    return _squared_error(eps, _eps_model(x0, t, W, c))


def mean_over_coordinates(x0, betas, t, eps, W, c):
    return _squared_error(eps, _eps_model(_noised(x0, betas, t, eps), t, W, c)) / x0.shape[-1]


def norm_not_squared(x0, betas, t, eps, W, c):
    return torch.linalg.vector_norm(eps - _eps_model(_noised(x0, betas, t, eps), t, W, c), dim=-1)


def batch_mean(x0, betas, t, eps, W, c):
    return _squared_error(eps, _eps_model(_noised(x0, betas, t, eps), t, W, c)).mean()


def weight_transposed(x0, betas, t, eps, W, c):
    x_t = _noised(x0, betas, t, eps)
    return _squared_error(eps, x_t @ W.T + t.unsqueeze(-1) * c)  # nn.Linear's convention, not x W


def mse_default_reduction(x0, betas, t, eps, W, c):
    predicted = _eps_model(_noised(x0, betas, t, eps), t, W, c)
    return torch.nn.functional.mse_loss(predicted, eps)  # reduction='mean': one scalar over B and D
