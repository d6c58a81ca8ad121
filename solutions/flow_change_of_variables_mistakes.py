"""Known mistakes for flow_change_of_variables: one function per mistake id, same signature."""

import math

import torch


def _log_standard_normal(z):
    return -0.5 * (z ** 2).sum(dim=-1) - 0.5 * z.shape[-1] * math.log(2 * math.pi)


def _inverse(x, s, t):
    return (x - t) * torch.exp(-s)


def plus_log_det(x, s, t):
    return _log_standard_normal(_inverse(x, s, t)) + s.sum()


def no_log_det(x, s, t):
    return _log_standard_normal(_inverse(x, s, t))


def forward_instead_of_inverse(x, s, t):
    return _log_standard_normal(torch.exp(s) * x + t) - s.sum()


def scale_not_inverted(x, s, t):
    return _log_standard_normal((x - t) * torch.exp(s)) - s.sum()


def shift_after_unscaling(x, s, t):
    return _log_standard_normal(x * torch.exp(-s) - t) - s.sum()


def missing_log_2pi(x, s, t):
    return -0.5 * (_inverse(x, s, t) ** 2).sum(dim=-1) - s.sum()


def log_2pi_not_times_d(x, s, t):
    return -0.5 * (_inverse(x, s, t) ** 2).sum(dim=-1) - 0.5 * math.log(2 * math.pi) - s.sum()


def batch_mean(x, s, t):
    return (_log_standard_normal(_inverse(x, s, t)) - s.sum()).mean()
