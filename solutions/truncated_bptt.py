"""Reference for truncated_bptt: ∂L/∂W_hh of a tanh RNN with every step's loss backpropagated k steps.

Truncated backpropagation through time as in Williams & Peng 1990 ("BPTT(h)") and Williams & Zipser
1995: the loss of step t sends its error back through the pre-activations a_t, a_{t−1}, …, a_{t−k+1}
only (the notes: "take the sum only over the last κ steps"), i.e.

    ∂L/∂W_hh ≈ Σ_t Σ_{j=max(1, t−k+1)}^{t} δ_j^(t) h_{j−1}ᵀ,
    δ_t^(t) = (W_hyᵀ e_t) ⊙ (1 − h_t²),   δ_{j−1}^(t) = (W_hhᵀ δ_j^(t)) ⊙ (1 − h_{j−1}²).

tests/exercises/test_truncated_bptt.py checks it against autograd with the state detached k steps back.
"""

import torch


def truncated_bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    hs = [h0]  # hs[t] = h_t
    for x_t in x:
        hs.append(torch.tanh(W_xh @ x_t + W_hh @ hs[-1] + b_h))
    grad = torch.zeros_like(W_hh)
    for t in range(1, len(hs)):
        dh = W_hy.T @ (W_hy @ hs[t] + b_y - targets[t - 1])  # ∂L_t/∂h_t
        for j in range(t, max(0, t - k), -1):  # the k steps j = t, t−1, …, t−k+1 (not before step 1)
            da = dh * (1 - hs[j] * hs[j])  # ∂L_t/∂a_j, through tanh
            grad += torch.outer(da, hs[j - 1])
            dh = W_hh.T @ da  # ∂L_t/∂h_{j−1}
    return grad
