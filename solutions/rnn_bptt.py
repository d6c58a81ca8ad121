import torch


def rnn_bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets):
    """Gradients of L = ½ Σ_t ‖y_t − targets_t‖² for a tanh RNN, by backpropagation through time."""
    hs = [h0]  # hs[t] = h_t, hs[0] = h0
    dys = []
    for t in range(x.shape[0]):
        hs.append(torch.tanh(W_xh @ x[t] + W_hh @ hs[-1] + b_h))
        dys.append(W_hy @ hs[-1] + b_y - targets[t])  # ∂L/∂y_t

    grads = {name: torch.zeros_like(w) for name, w in
             [("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h), ("W_hy", W_hy), ("b_y", b_y)]}
    dh_next = torch.zeros_like(h0)  # ∂L/∂h_t through h_{t+1}
    for t in reversed(range(x.shape[0])):
        h, h_prev, dy = hs[t + 1], hs[t], dys[t]
        grads["W_hy"] += torch.outer(dy, h)
        grads["b_y"] += dy
        dh = W_hy.T @ dy + dh_next
        da = dh * (1 - h * h)  # through tanh
        grads["W_xh"] += torch.outer(da, x[t])
        grads["W_hh"] += torch.outer(da, h_prev)
        grads["b_h"] += da
        dh_next = W_hh.T @ da
    grads["h0"] = dh_next
    return grads
