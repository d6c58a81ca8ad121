"""Known mistakes for causal_attention: each is the reference with one thing wrong."""

import math

import torch


def _attention(X, W_q, W_k, W_v, *, hidden="future", scale=None, softmax_dim=-1, combine=torch.matmul,
               keys_as_rows=False):
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    scores = (K @ Q.T if keys_as_rows else Q @ K.T) / (math.sqrt(K.shape[-1]) if scale is None else scale)
    T = X.shape[0]
    ones = torch.ones(T, T, dtype=torch.bool)
    masks = {"future": ones.triu(1), "future_and_self": ones.triu(0), "past": ones.tril(-1), "none": None}
    if masks[hidden] is not None:
        scores = scores.masked_fill(masks[hidden], float("-inf"))
    return combine(torch.softmax(scores, dim=softmax_dim), V)


def no_mask(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, hidden="none")


def diagonal_masked(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, hidden="future_and_self")


def past_masked(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, hidden="past")


def scaled_by_sqrt_model_dim(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, scale=math.sqrt(X.shape[-1]))


def not_scaled(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, scale=1.0)


def scaled_by_dk(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, scale=float(W_k.shape[-1]))


def softmax_over_queries(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, softmax_dim=0)


def elementwise_with_values(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, combine=torch.mul)


def scores_transposed(X, W_q, W_k, W_v):
    return _attention(X, W_q, W_k, W_v, keys_as_rows=True)


def mask_after_softmax(X, W_q, W_k, W_v):
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    weights = torch.softmax(Q @ K.T / math.sqrt(K.shape[-1]), dim=-1)
    return (weights * torch.ones_like(weights).tril()) @ V
