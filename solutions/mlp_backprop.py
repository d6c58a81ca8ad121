"""Reference for mlp_backprop: backpropagation (Rumelhart, Hinton & Williams 1986) through a
one-hidden-layer ReLU MLP with the mean squared error of torch.nn.functional.mse_loss.

    a = x W1ᵀ + b1,  h = relu(a),  ŷ = h W2ᵀ + b2,  L = (1/(N·O)) Σ_n Σ_k (ŷ_nk − y_nk)²
"""

import torch


def mlp_backprop(x, y, W1, b1, W2, b2):
    a = x @ W1.T + b1
    h = torch.relu(a)
    y_hat = h @ W2.T + b2
    d_out = 2.0 * (y_hat - y) / y.numel()  # ∂L/∂ŷ
    d_hidden = (d_out @ W2) * (a > 0).to(a.dtype)  # ∂L/∂a; relu'(0) = 0 as in torch
    return {
        "W1": d_hidden.T @ x,
        "b1": d_hidden.sum(dim=0),
        "W2": d_out.T @ h,
        "b2": d_out.sum(dim=0),
    }
