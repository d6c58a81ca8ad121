"""Known mistakes in the MLP backward pass; each is the reference with one thing wrong."""

import torch


def _backprop(x, y, W1, b1, W2, b2, *, loss_divisor="all", factor=2.0, sign=1.0, relu_grad=True,
              w2_input="activation", transpose_weight_grads=False, bias_divisor=1):
    a = x @ W1.T + b1
    h = torch.relu(a)
    y_hat = h @ W2.T + b2
    divisor = {"all": y.numel(), "batch": y.shape[0], "none": 1}[loss_divisor]
    d_out = sign * factor * (y_hat - y) / divisor
    d_hidden = d_out @ W2
    if relu_grad:
        d_hidden = d_hidden * (a > 0).to(a.dtype)
    grads = {
        "W1": d_hidden.T @ x,
        "b1": d_hidden.sum(dim=0) / bias_divisor,
        "W2": d_out.T @ (h if w2_input == "activation" else a),
        "b2": d_out.sum(dim=0) / bias_divisor,
    }
    if transpose_weight_grads:
        grads["W1"], grads["W2"] = grads["W1"].T, grads["W2"].T
    return grads


def missing_relu_derivative(*args):
    return _backprop(*args, relu_grad=False)


def sign_flipped(*args):
    return _backprop(*args, sign=-1.0)


def sum_instead_of_mean(*args):
    return _backprop(*args, loss_divisor="none")


def mean_over_batch_only(*args):
    return _backprop(*args, loss_divisor="batch")


def missing_factor_two(*args):
    return _backprop(*args, factor=1.0)


def w2_grad_uses_preactivation(*args):
    return _backprop(*args, w2_input="preactivation")


def weight_grads_transposed(*args):
    return _backprop(*args, transpose_weight_grads=True)


def bias_grad_averaged_again(x, *rest):
    return _backprop(x, *rest, bias_divisor=x.shape[0])
