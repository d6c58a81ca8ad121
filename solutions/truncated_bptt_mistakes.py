"""Known mistakes in truncated BPTT; each is the reference with one thing wrong."""

import torch


def _states(x, h0, W_xh, W_hh, b_h):
    hs = [h0]
    for x_t in x:
        hs.append(torch.tanh(W_xh @ x_t + W_hh @ hs[-1] + b_h))
    return hs


def _grad_w_hh(hs, W_hh, W_hy, b_y, targets, *, losses, first_step):
    """Σ over the steps t in `losses` of L_t's gradient, backpropagated down to step first_step(t) ≥ 1."""
    grad = torch.zeros_like(W_hh)
    for t in losses:
        dh = W_hy.T @ (W_hy @ hs[t] + b_y - targets[t - 1])
        for j in range(t, max(1, first_step(t)) - 1, -1):
            da = dh * (1 - hs[j] * hs[j])
            grad += torch.outer(da, hs[j - 1])
            dh = W_hh.T @ da
    return grad


def _truncated(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, *, window, last_only=False):
    hs = _states(x, h0, W_xh, W_hh, b_h)
    T = len(hs) - 1
    losses = [T] if last_only else range(1, T + 1)
    return _grad_w_hh(hs, W_hh, W_hy, b_y, targets, losses=losses, first_step=lambda t: t - window + 1)


def full_bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    return _truncated(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, window=len(x))


def truncated_k_minus_1(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    return _truncated(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, window=k - 1)


def truncated_k_plus_1(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    return _truncated(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, window=k + 1)


def last_step_loss_only(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    return _truncated(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, window=k, last_only=True)


def chunked_truncation(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    """Sequence cut into blocks of k steps; gradients never cross a block boundary."""
    hs = _states(x, h0, W_xh, W_hh, b_h)
    return _grad_w_hh(hs, W_hh, W_hy, b_y, targets, losses=range(1, len(hs)),
                      first_step=lambda t: (t - 1) // k * k + 1)
