"""Known mistakes in front-to-back compositing, written as the per-splat loop most students write."""

import torch


def _composite(alphas, colors, *, order=None, weight=None, update=None, final=None):
    """Walk the splats in `order`, adding weight(T, α_i) c_i and updating T = update(T, α_i);
    the second output is final(T after the last splat, T before it)."""
    P, G = alphas.shape
    order = order or range(G)
    weight = weight or (lambda T, a: T * a)
    update = update or (lambda T, a: T * (1.0 - a))
    final = final or (lambda T_end, T_last: T_end)
    color = torch.zeros(P, 3, dtype=alphas.dtype)
    T = torch.ones(P, dtype=alphas.dtype)
    T_last = T
    for i in order:
        color = color + weight(T, alphas[:, i])[:, None] * colors[i]
        T_last, T = T, update(T, alphas[:, i])
    return color, final(T, T_last)


def back_to_front(alphas, colors):
    return _composite(alphas, colors, order=range(alphas.shape[1] - 1, -1, -1))


def inclusive_transmittance(alphas, colors):
    return _composite(alphas, colors, weight=lambda T, a: T * (1.0 - a) * a)


def forgot_alpha(alphas, colors):
    return _composite(alphas, colors, weight=lambda T, a: T)


def transmittance_not_updated(alphas, colors):
    return _composite(alphas, colors, update=lambda T, a: T)


def transmittance_minus_alpha(alphas, colors):
    return _composite(alphas, colors, update=lambda T, a: T - a)


def final_transmittance_before_last(alphas, colors):
    return _composite(alphas, colors, final=lambda T_end, T_last: T_last)


def returned_accumulated_opacity(alphas, colors):
    return _composite(alphas, colors, final=lambda T_end, T_last: 1.0 - T_end)


def _stop_when_dark(alphas, colors, *, skip_crossing):
    """The 3DGS tile loop's early exit, per pixel: stop once T would fall below 10⁻⁴. skip_crossing:
    the splat whose update crosses the threshold is dropped too (the CUDA code tests T(1 − α) first)."""
    color = torch.zeros(alphas.shape[0], 3, dtype=alphas.dtype)
    final = torch.ones(alphas.shape[0], dtype=alphas.dtype)
    for p in range(alphas.shape[0]):
        T = torch.ones((), dtype=alphas.dtype)
        for i in range(alphas.shape[1]):
            a = alphas[p, i]
            if skip_crossing and T * (1.0 - a) < 1e-4:
                break
            color[p] = color[p] + T * a * colors[i]
            T = T * (1.0 - a)
            if T < 1e-4:
                break
        final[p] = T
    return color, final


def stopped_early(alphas, colors):
    return _stop_when_dark(alphas, colors, skip_crossing=True)


def stopped_early_after_update(alphas, colors):
    return _stop_when_dark(alphas, colors, skip_crossing=False)
