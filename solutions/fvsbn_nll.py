"""Reference for fvsbn_nll: negative log-likelihood of a Fully Visible Sigmoid Belief Network.

Frey (1998), "Graphical Models for Machine Learning and Digital Communication"; the form used in the
Stanford CS236 notes (Autoregressive models):
    p(x_i = 1 | x_<i) = σ(α_0^(i) + Σ_{j<i} α_j^(i) x_j),
with α_0^(i) = bias[i] and α_j^(i) = A[i, j] for j < i (strictly lower triangle of A).
"""

import torch
import torch.nn.functional as F


def fvsbn_nll(x, bias, A):
    # Only the strictly lower triangle: conditional i sees x_1 … x_{i−1}, never x_i or the future.
    weights = torch.tril(A, diagonal=-1)
    logits = bias + x @ weights.T  # logits[b, i] = bias[i] + Σ_{j<i} A[i, j] x[b, j]
    # −log Ber(x | σ(l)) = softplus(l) − x·l: finite for any logit, unlike log(σ(l)).
    return (F.softplus(logits) - x * logits).sum(dim=-1)
