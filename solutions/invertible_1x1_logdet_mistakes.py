"""Known mistakes for invertible_1x1_logdet: one function per mistake id, same signature."""

import torch


def _weight(P, L, U, s):
    return P @ L @ (U + torch.diag(s))


def forgot_hw(P, L, U, s, h, w):
    return _weight(P, L, U, s), torch.log(torch.abs(s)).sum()


def log_without_abs(P, L, U, s, h, w):
    return _weight(P, L, U, s), h * w * torch.log(s).sum()


def logdet_from_diag_of_w(P, L, U, s, h, w):
    W = _weight(P, L, U, s)
    return W, h * w * torch.log(torch.abs(torch.diagonal(W))).sum()


def order_p_u_l(P, L, U, s, h, w):
    return P @ (U + torch.diag(s)) @ L, h * w * torch.log(torch.abs(s)).sum()


def forgot_permutation(P, L, U, s, h, w):
    return L @ (U + torch.diag(s)), h * w * torch.log(torch.abs(s)).sum()
