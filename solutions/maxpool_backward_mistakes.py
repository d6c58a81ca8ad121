"""Known mistakes in the backward pass of max pooling; each is the reference with one thing wrong."""

import torch


def _backward(x, dy, k, stride, *, route):
    """dx from routing each dy[r, c] into its window with route(window, g) -> window-shaped gradient."""
    dx = torch.zeros_like(x)
    out_h, out_w = dy.shape
    for r in range(out_h):
        for c in range(out_w):
            top, left = r * stride, c * stride
            window = x[top:top + k, left:left + k]
            dx[top:top + k, left:left + k] += route(window, dy[r, c])
    return dx


def _one_hot(window, flat_index, g, *, swap=False):
    out = torch.zeros_like(window)
    i, j = divmod(int(flat_index), window.shape[1])
    out[(j, i) if swap else (i, j)] = g
    return out


def average_pool_backward(x, dy, k, stride):
    return _backward(x, dy, k, stride, route=lambda w, g: torch.full_like(w, float(g) / w.numel()))


def routed_to_argmin(x, dy, k, stride):
    return _backward(x, dy, k, stride, route=lambda w, g: _one_hot(w, torch.argmin(w), g))


def routed_to_every_tied_maximum(x, dy, k, stride):
    return _backward(x, dy, k, stride, route=lambda w, g: (w == w.max()).to(w.dtype) * g)


def last_maximum_on_ties(x, dy, k, stride):
    def last(w, g):
        flat = w.flatten()
        return _one_hot(w, flat.numel() - 1 - int(torch.argmax(flat.flip(0))), g)
    return _backward(x, dy, k, stride, route=last)


def row_col_swapped(x, dy, k, stride):
    return _backward(x, dy, k, stride, route=lambda w, g: _one_hot(w, torch.argmax(w), g, swap=True))


def gradient_not_accumulated(x, dy, k, stride):
    dx = torch.zeros_like(x)
    out_h, out_w = dy.shape
    for r in range(out_h):
        for c in range(out_w):
            top, left = r * stride, c * stride
            i, j = divmod(int(torch.argmax(x[top:top + k, left:left + k])), k)
            dx[top + i, left + j] = dy[r, c]  # overwrites what an earlier window routed here
    return dx
