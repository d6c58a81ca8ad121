"""Known mistakes for matrix_determinant_lemma: one function per mistake id, with the entry point's signature."""

import torch


def _quadratic(A, u, v):
    """vᵀA⁻¹u, the correct quadratic form."""
    return v @ torch.linalg.solve(A, u)


def transposed_quadratic(A, logdet_A, u, v):
    return logdet_A + torch.log(torch.abs(1 + u @ torch.linalg.solve(A, v)))


def missing_one(A, logdet_A, u, v):
    return logdet_A + torch.log(torch.abs(_quadratic(A, u, v)))


def no_abs(A, logdet_A, u, v):
    return logdet_A + torch.log(1 + _quadratic(A, u, v))


def factor_not_logged(A, logdet_A, u, v):
    return logdet_A + _quadratic(A, u, v)


def inverse_not_applied(A, logdet_A, u, v):
    return logdet_A + torch.log(torch.abs(1 + v @ u))


def used_a_instead_of_inverse(A, logdet_A, u, v):
    return logdet_A + torch.log(torch.abs(1 + v @ A @ u))


def dropped_logdet_a(A, logdet_A, u, v):
    return torch.log(torch.abs(1 + _quadratic(A, u, v)))


def determinant_is_additive(A, logdet_A, u, v):
    # det(A + uvᵀ) = det A + det(uvᵀ), and det(uvᵀ) = 0 for D > 1: the update is ignored.
    return logdet_A.clone()


def exponentiated_logdet(A, logdet_A, u, v):
    return torch.log(torch.abs(torch.exp(logdet_A) * (1 + _quadratic(A, u, v))))
