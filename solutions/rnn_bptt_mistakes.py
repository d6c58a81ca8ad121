"""Known mistakes in backpropagation through time; each is the reference with one thing wrong."""

import torch


def _bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, *, through_time=True, tanh_grad=True,
          transpose_w_hh=True, every_step_loss=True, w_hh_input="previous", accumulate=True,
          h0_through_w_hh=True):
    T = x.shape[0]
    hs = [h0]
    dys = []
    for t in range(T):
        hs.append(torch.tanh(W_xh @ x[t] + W_hh @ hs[-1] + b_h))
        dy = W_hy @ hs[-1] + b_y - targets[t]
        dys.append(dy if every_step_loss or t == T - 1 else torch.zeros_like(dy))

    grads = {name: torch.zeros_like(w) for name, w in
             [("W_xh", W_xh), ("W_hh", W_hh), ("b_h", b_h), ("W_hy", W_hy), ("b_y", b_y)]}
    dh_next = torch.zeros_like(h0)
    da = torch.zeros_like(h0)
    for t in reversed(range(T)):
        h, h_prev, dy = hs[t + 1], hs[t], dys[t]
        dh = W_hy.T @ dy + (dh_next if through_time else 0)
        da = dh * (1 - h * h) if tanh_grad else dh
        step = {"W_hy": torch.outer(dy, h), "b_y": dy, "W_xh": torch.outer(da, x[t]),
                "W_hh": torch.outer(da, h_prev if w_hh_input == "previous" else h), "b_h": da}
        for name, g in step.items():
            grads[name] = grads[name] + g if accumulate else g
        dh_next = (W_hh.T if transpose_w_hh else W_hh) @ da
    grads["h0"] = dh_next if h0_through_w_hh else da
    return grads


def truncated_one_step(*args):
    return _bptt(*args, through_time=False)


def missing_tanh_derivative(*args):
    return _bptt(*args, tanh_grad=False)


def w_hh_not_transposed(*args):
    return _bptt(*args, transpose_w_hh=False)


def last_step_loss_only(*args):
    return _bptt(*args, every_step_loss=False)


def w_hh_grad_uses_current_h(*args):
    return _bptt(*args, w_hh_input="current")


def gradients_overwritten(*args):
    return _bptt(*args, accumulate=False)


def h0_grad_stops_before_w_hh(*args):
    return _bptt(*args, h0_through_w_hh=False)
