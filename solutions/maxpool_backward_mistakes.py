"""Known mistakes in the backward pass of max pooling; each is the reference with one thing wrong."""

import torch


def _one_hot(window, flat_index, *, swap=False):
    out = torch.zeros_like(window)
    i, j = divmod(int(flat_index), window.shape[1])
    out[(j, i) if swap else (i, j)] = 1.0
    return out


def _first_max(window):
    return _one_hot(window, torch.argmax(window))


def _backward(x, dy, k, stride, *, weights=_first_max, accumulate=True):
    """dx from sending dy[r, c] · weights(window) into every window (by += or by assignment)."""
    dx = torch.zeros_like(x)
    out_h, out_w = dy.shape
    for r in range(out_h):
        for c in range(out_w):
            target = dx[r * stride:r * stride + k, c * stride:c * stride + k]  # a view into dx
            w = weights(x[r * stride:r * stride + k, c * stride:c * stride + k])
            if accumulate:
                target += w * dy[r, c]
            else:
                target[w != 0] = dy[r, c]
    return dx


def _last_max(window):
    flat = window.flatten()
    return _one_hot(window, flat.numel() - 1 - int(torch.argmax(flat.flip(0))))


def average_pool_backward(x, dy, k, stride):
    return _backward(x, dy, k, stride, weights=lambda w: torch.full_like(w, 1.0 / w.numel()))


def routed_to_argmin(x, dy, k, stride):
    return _backward(x, dy, k, stride, weights=lambda w: _one_hot(w, torch.argmin(w)))


def routed_to_every_tied_maximum(x, dy, k, stride):
    return _backward(x, dy, k, stride, weights=lambda w: (w == w.max()).to(w.dtype))


def last_maximum_on_ties(x, dy, k, stride):
    return _backward(x, dy, k, stride, weights=_last_max)


def row_col_swapped(x, dy, k, stride):
    return _backward(x, dy, k, stride, weights=lambda w: _one_hot(w, torch.argmax(w), swap=True))


def gradient_not_accumulated(x, dy, k, stride):
    return _backward(x, dy, k, stride, accumulate=False)
