"""Known mistakes in the implicit gradient of a ray-surface hit; the root is found by bisection here
(any accurate root finder gives the same p̂), except in one_secant_step."""

import torch


def _hit(f, theta, r0, w, d0, d1, *, derivative="implicit", secant_steps=None):
    g = lambda d: f(r0 + d * w, theta).item()  # noqa: E731
    d_hat = _one_secant_step(g, d0, d1) if secant_steps == 1 else _bisect(g, d0, d1)
    p_hat = r0 + d_hat * w
    p, th = p_hat.clone().requires_grad_(True), theta.clone().requires_grad_(True)
    df_dp, df_dtheta = torch.autograd.grad(f(p, th), (p, th))
    n = df_dp / torch.linalg.vector_norm(df_dp)
    dp_dtheta = {
        "implicit": lambda: -torch.outer(w, df_dtheta) / (df_dp @ w),
        "sign_flipped": lambda: torch.outer(w, df_dtheta) / (df_dp @ w),
        "not_normalised": lambda: -torch.outer(w, df_dtheta),
        "gradient_norm": lambda: -torch.outer(w, df_dtheta) / torch.linalg.vector_norm(df_dp),
        "normal": lambda: -torch.outer(n, df_dtheta) / (df_dp @ n),
        "dd_dtheta": lambda: -df_dtheta / (df_dp @ w),
    }[derivative]()
    return p_hat, dp_dtheta


def _bisect(g, a, b):
    positive_at_a = g(a) > 0
    while b - a > 1e-13:
        m = 0.5 * (a + b)
        a, b = (m, b) if (g(m) > 0) == positive_at_a else (a, m)
    return 0.5 * (a + b)


def _one_secant_step(g, a, b):
    return b - g(b) * (b - a) / (g(b) - g(a))


def sign_flipped(*args):
    return _hit(*args, derivative="sign_flipped")


def no_normalisation(*args):
    return _hit(*args, derivative="not_normalised")


def divided_by_gradient_norm(*args):
    return _hit(*args, derivative="gradient_norm")


def normal_instead_of_ray(*args):
    return _hit(*args, derivative="normal")


def returned_dd_dtheta(*args):
    return _hit(*args, derivative="dd_dtheta")


def one_secant_step(*args):
    return _hit(*args, secant_steps=1)
