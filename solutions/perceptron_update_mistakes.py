"""Known mistakes in the perceptron learning rule; each is the reference with one thing wrong."""

import torch


def _online(w, X, y, lr, epochs, *, is_mistake, step):
    w = w.clone()
    updates = 0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            if is_mistake(w, x_i, y_i):
                w = w + step(lr, x_i, y_i)
                updates += 1
    return w, updates


def _margin_at_most_zero(w, x_i, y_i):
    return bool(y_i * torch.dot(w, x_i) <= 0)


def _rosenblatt_step(lr, x_i, y_i):
    return lr * y_i * x_i


def strict_inequality(w, X, y, lr, epochs):
    return _online(w, X, y, lr, epochs, is_mistake=lambda w, x, t: bool(t * torch.dot(w, x) < 0),
                   step=_rosenblatt_step)


def updates_every_sample(w, X, y, lr, epochs):
    return _online(w, X, y, lr, epochs, is_mistake=lambda w, x, t: True, step=_rosenblatt_step)


def sign_flipped_update(w, X, y, lr, epochs):
    return _online(w, X, y, lr, epochs, is_mistake=_margin_at_most_zero, step=lambda lr, x, t: -lr * t * x)


def label_missing_in_condition(w, X, y, lr, epochs):
    return _online(w, X, y, lr, epochs, is_mistake=lambda w, x, t: bool(torch.dot(w, x) <= 0),
                   step=_rosenblatt_step)


def label_missing_in_update(w, X, y, lr, epochs):
    return _online(w, X, y, lr, epochs, is_mistake=_margin_at_most_zero, step=lambda lr, x, t: lr * x)


def single_epoch(w, X, y, lr, epochs):
    return _online(w, X, y, lr, 1, is_mistake=_margin_at_most_zero, step=_rosenblatt_step)


def batch_update(w, X, y, lr, epochs):
    """All mistakes of an epoch found with the epoch's starting w, then applied together."""
    w = w.clone()
    updates = 0
    for _ in range(epochs):
        wrong = y * (X @ w) <= 0
        w = w + lr * (y[wrong, None] * X[wrong]).sum(dim=0)
        updates += int(wrong.sum())
    return w, updates
