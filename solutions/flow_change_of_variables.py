"""Reference for flow_change_of_variables: change of variables for an elementwise affine flow.

Dinh et al. 2017 (Real NVP), eq. 2: log p_X(x) = log p_Z(f⁻¹(x)) + log |det ∂f⁻¹(x)/∂x|, with
f(z) = exp(s) ⊙ z + t, so f⁻¹(x) = (x − t) ⊙ exp(−s) and log |det ∂f⁻¹/∂x| = −Σ s.
"""

import math

import torch


def flow_log_likelihood(x, s, t):
    z = (x - t) * torch.exp(-s)
    log_base = -0.5 * (z ** 2).sum(dim=-1) - 0.5 * x.shape[-1] * math.log(2 * math.pi)
    return log_base - s.sum()
