"""Known mistakes in Adam; each is the reference with one thing wrong."""

import torch


def _adam(params, grads, lr, beta1, beta2, eps, *, correct=True, first_t=1, advance_t=True, eps_inside=False,
          sqrt=True, swap_betas=False, swap_ema_weights=False, store_corrected=False, adagrad=False,
          efficient_form=False):
    if swap_betas:
        beta1, beta2 = beta2, beta1
    theta = params.clone()
    m = torch.zeros_like(params)
    v = torch.zeros_like(params)
    t = first_t
    for g in grads:
        keep1, new1 = (1 - beta1, beta1) if swap_ema_weights else (beta1, 1 - beta1)
        keep2, new2 = (1 - beta2, beta2) if swap_ema_weights else (beta2, 1 - beta2)
        m = keep1 * m + new1 * g
        v = v + g * g if adagrad else keep2 * v + new2 * g * g
        m_hat = m / (1 - beta1 ** t) if correct else m
        v_hat = v / (1 - beta2 ** t) if correct and not adagrad else v
        if store_corrected:
            m, v = m_hat, v_hat
        if efficient_form:  # Kingma & Ba §2: α_t = α √(1 − β2^t)/(1 − β1^t), with ε added to √v
            step = lr * (1 - beta2 ** t) ** 0.5 / (1 - beta1 ** t) * m / (torch.sqrt(v) + eps)
        elif eps_inside:
            step = lr * m_hat / torch.sqrt(v_hat + eps)
        else:
            step = lr * m_hat / ((torch.sqrt(v_hat) if sqrt else v_hat) + eps)
        theta = theta - step
        t += 1 if advance_t else 0
    return {"params": theta, "m": m, "v": v}


def no_bias_correction(*args):
    return _adam(*args, correct=False)


def eps_inside_sqrt(*args):
    return _adam(*args, eps_inside=True)


def t_starts_at_zero(*args):
    return _adam(*args, first_t=0)


def step_count_not_incremented(*args):
    return _adam(*args, advance_t=False)


def sqrt_missing(*args):
    return _adam(*args, sqrt=False)


def betas_swapped(*args):
    return _adam(*args, swap_betas=True)


def ema_weights_swapped(*args):
    return _adam(*args, swap_ema_weights=True)


def corrected_moments_stored(*args):
    return _adam(*args, store_corrected=True)


def adagrad_second_moment(*args):
    return _adam(*args, adagrad=True)


def eps_added_to_uncorrected_sqrt_v(*args):
    return _adam(*args, efficient_form=True)
