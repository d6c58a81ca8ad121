"""Reference for causal_attention: single-head causal (masked) scaled dot-product self-attention.

Vaswani et al. (2017), "Attention Is All You Need", eq. 1 and sec. 3.2.3 (decoder masking):
    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V,   M[t, s] = −∞ for s > t, else 0,
with Q = X W_q, K = X W_k, V = X W_v. (The course notes scale by √D and write ⊙; the paper scales
by √d_k and uses a matrix product.)
"""

import math

import torch


def causal_self_attention(X, W_q, W_k, W_v):
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    scores = Q @ K.T / math.sqrt(K.shape[-1])
    T = X.shape[0]
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)  # key s > query t
    scores = scores.masked_fill(future, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # each query's weights over the keys sum to 1
    return weights @ V
