"""Known mistakes for fvsbn_nll: each is the reference with one thing wrong."""

import torch
import torch.nn.functional as F


def _nll(x, logits):
    return (F.softplus(logits) - x * logits).sum(dim=-1)


def full_matrix(x, bias, A):
    return _nll(x, bias + x @ A.T)


def diagonal_included(x, bias, A):
    return _nll(x, bias + x @ torch.tril(A).T)


def mask_applied_on_wrong_side(x, bias, A):
    # x @ L sums A[j, i] x_j over j > i: the future variables.
    return _nll(x, bias + x @ torch.tril(A, diagonal=-1))


def log_likelihood_not_negated(x, bias, A):
    return -_nll(x, bias + x @ torch.tril(A, diagonal=-1).T)


def naive_log_sigmoid(x, bias, A):
    p = torch.sigmoid(bias + x @ torch.tril(A, diagonal=-1).T)
    return -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(dim=-1)


def mean_over_variables(x, bias, A):
    logits = bias + x @ torch.tril(A, diagonal=-1).T
    return (F.softplus(logits) - x * logits).mean(dim=-1)


def batch_mean(x, bias, A):
    return _nll(x, bias + x @ torch.tril(A, diagonal=-1).T).mean()


def weights_transposed(x, bias, A):
    # Causal, but reads α_j^(i) from A[j, i] (the upper triangle) instead of A[i, j].
    return _nll(x, bias + x @ torch.triu(A, diagonal=1))
