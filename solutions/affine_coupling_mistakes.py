"""Known mistakes for affine_coupling: one function per mistake id, same signature."""

import torch


def _s_t(cond, W_s, b_s, W_t, b_t):
    return torch.tanh(cond @ W_s + b_s), cond @ W_t + b_t


def _forward(x, d, W_s, b_s, W_t, b_t):
    s, t = _s_t(x[:, :d], W_s, b_s, W_t, b_t)
    return torch.cat([x[:, :d], x[:, d:] * torch.exp(s) + t], dim=1), s


def _inverse(y, d, W_s, b_s, W_t, b_t):
    s, t = _s_t(y[:, :d], W_s, b_s, W_t, b_t)
    return torch.cat([y[:, :d], (y[:, d:] - t) * torch.exp(-s)], dim=1)


def _result(forward, log_det, inverse):
    return {"forward": forward, "log_det": log_det, "inverse": inverse}


def _with_inverse_half(x, y, d, W_s, b_s, W_t, b_t, undo):
    """The correct forward pass and log-det, with x_{d+1:D} = undo(y_{d+1:D}, s, t) as the inverse."""
    forward, s = _forward(x, d, W_s, b_s, W_t, b_t)
    s_y, t_y = _s_t(y[:, :d], W_s, b_s, W_t, b_t)
    return _result(forward, s.sum(dim=1), torch.cat([y[:, :d], undo(y[:, d:], s_y, t_y)], dim=1))


def logdet_exp_s(x, y, d, W_s, b_s, W_t, b_t):
    forward, s = _forward(x, d, W_s, b_s, W_t, b_t)
    return _result(forward, torch.exp(s).sum(dim=1), _inverse(y, d, W_s, b_s, W_t, b_t))


def logdet_negative(x, y, d, W_s, b_s, W_t, b_t):
    forward, s = _forward(x, d, W_s, b_s, W_t, b_t)
    return _result(forward, -s.sum(dim=1), _inverse(y, d, W_s, b_s, W_t, b_t))


def logdet_summed_over_batch(x, y, d, W_s, b_s, W_t, b_t):
    forward, s = _forward(x, d, W_s, b_s, W_t, b_t)
    return _result(forward, s.sum(), _inverse(y, d, W_s, b_s, W_t, b_t))


def last_dims_pass_through(x, y, d, W_s, b_s, W_t, b_t):
    k = x.shape[1] - d  # the last d dims condition, the first D − d are transformed
    s, t = _s_t(x[:, k:], W_s, b_s, W_t, b_t)
    forward = torch.cat([x[:, :k] * torch.exp(s) + t, x[:, k:]], dim=1)
    s_y, t_y = _s_t(y[:, k:], W_s, b_s, W_t, b_t)
    inverse = torch.cat([(y[:, :k] - t_y) * torch.exp(-s_y), y[:, k:]], dim=1)
    return _result(forward, s.sum(dim=1), inverse)


def inverse_multiplies_by_exp_s(x, y, d, W_s, b_s, W_t, b_t):
    return _with_inverse_half(x, y, d, W_s, b_s, W_t, b_t, lambda y2, s, t: (y2 - t) * torch.exp(s))


def inverse_adds_t(x, y, d, W_s, b_s, W_t, b_t):
    return _with_inverse_half(x, y, d, W_s, b_s, W_t, b_t, lambda y2, s, t: (y2 + t) * torch.exp(-s))


def inverse_wrong_order(x, y, d, W_s, b_s, W_t, b_t):
    return _with_inverse_half(x, y, d, W_s, b_s, W_t, b_t, lambda y2, s, t: y2 * torch.exp(-s) - t)


def inverse_conditions_on_x(x, y, d, W_s, b_s, W_t, b_t):
    forward, s = _forward(x, d, W_s, b_s, W_t, b_t)
    s_x, t_x = _s_t(x[:, :d], W_s, b_s, W_t, b_t)
    return _result(forward, s.sum(dim=1), torch.cat([y[:, :d], (y[:, d:] - t_x) * torch.exp(-s_x)], dim=1))


def scale_without_tanh(x, y, d, W_s, b_s, W_t, b_t):
    def s_t(cond):
        return cond @ W_s + b_s, cond @ W_t + b_t

    s, t = s_t(x[:, :d])
    s_y, t_y = s_t(y[:, :d])
    forward = torch.cat([x[:, :d], x[:, d:] * torch.exp(s) + t], dim=1)
    inverse = torch.cat([y[:, :d], (y[:, d:] - t_y) * torch.exp(-s_y)], dim=1)
    return _result(forward, s.sum(dim=1), inverse)
