"""Reference for adam_step: K steps of Adam, Kingma & Ba 2015, Algorithm 1 (t counts from 1).

    m_t = β1 m_{t−1} + (1 − β1) g_t          v_t = β2 v_{t−1} + (1 − β2) g_t²
    m̂_t = m_t / (1 − β1^t)                   v̂_t = v_t / (1 − β2^t)
    θ_t = θ_{t−1} − α m̂_t / (√v̂_t + ε)

torch.optim.Adam (amsgrad=False, no weight decay) computes the same update.
"""

import torch


def adam(params, grads, lr, beta1, beta2, eps):
    theta = params.clone()
    m = torch.zeros_like(params)
    v = torch.zeros_like(params)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        theta = theta - lr * m_hat / (torch.sqrt(v_hat) + eps)
    return {"params": theta, "m": m, "v": v}
