import importlib.util
from pathlib import Path

import torch

from dlcheck.wire import CallableRef


def implicit_surface_grad(f, theta, r0, w, d0, d1):
    """First surface point on the ray r0 + d w and its derivative ∂p̂/∂θ by implicit differentiation.

    DVR (Niemeyer et al. 2020): from f(p̂, θ) = 0 with p̂ = r0 + d̂(θ) w,
    ∂p̂/∂θ = −w (∂f/∂p · w)⁻¹ ∂f/∂θ.
    """
    d_hat = _bisect_root(lambda d: f(r0 + d * w, theta).item(), d0, d1)
    p_hat = r0 + d_hat * w
    p, th = p_hat.clone().requires_grad_(True), theta.clone().requires_grad_(True)
    df_dp, df_dtheta = torch.autograd.grad(f(p, th), (p, th))
    return p_hat, -torch.outer(w, df_dtheta) / (df_dp @ w)


def _bisect_root(g, a, b):
    """Root of g between a and b where g(a) > 0 ≥ g(b): halve the bracket, keeping the sign change, until
    its ends are adjacent floats (about 55 halvings), so d̂ is exact to rounding."""
    while True:
        m = 0.5 * (a + b)
        if m in (a, b):
            return m
        if g(m) > 0:
            a = m
        else:
            b = m


# ---------------------------------------------------------------- cases (reference process only)

MLP_HIDDEN = 4


def make_cases(seed):
    """Rays that hit a sphere, a quadric and a bumpy MLP surface obliquely, each with a bracket
    [d0, d1] that holds the first crossing and no other."""
    fixtures = _fixtures()
    g = torch.Generator().manual_seed(seed)
    cases = [_case("unit sphere at the origin, ray along +x", fixtures, _sphere_ref(),
                   torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64),
                   torch.tensor([-3.0, 0.5, 0.0], dtype=torch.float64),
                   torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), 1.9, 2.4),
             # g(d) = √((d − 3)² + 0.36) − 1 enters at 2.2 and exits at 3.8; at d1 = 3.5 it rises again, so
             # Newton from d1 or a secant that drops the bracket finds the exit.
             _case("the root in [d0, d1] is the entry at d = 2.2: g rises again at d1 = 3.5, the exit is at 3.8",
                   fixtures, _sphere_ref(), torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64),
                   torch.tensor([-3.0, 0.6, 0.0], dtype=torch.float64),
                   torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), 1.5, 3.5),
             # Through the centre g(d) = |d − 3| − 1 is linear: the midpoint of [1.5, 2.5], Newton from
             # there and one secant step from the ends all land exactly on the root d = 2, where g = 0,
             # so a finder that still moves once |g| is tiny leaves the surface.
             _case("a ray through the centre: f is linear along it, so the midpoint and a secant step are "
                   "exactly on the surface (f = 0 at d = 2)",
                   fixtures, _sphere_ref(), torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64),
                   torch.tensor([-3.0, 0.0, 0.0], dtype=torch.float64),
                   torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), 1.5, 2.5)]
    surfaces = [("sphere", _sphere_ref, _random_sphere), ("quadric", _quadric_ref, _random_quadric),
                ("MLP surface", _mlp_ref, _random_mlp)]
    for number in range(1, 3):
        for name, make_ref, draw_theta in surfaces:
            ref, theta, center = make_ref(g), *draw_theta(g, fixtures)
            f = _build(fixtures, ref)
            r0, w, d0, d1 = _oblique_ray(f, theta, center, g)
            cases.append(_case(f"{name} #{number}", fixtures, ref, theta, r0, w, d0, d1))
    return cases


def _case(name, fixtures, ref, theta, r0, w, d0, d1):
    f = _build(fixtures, ref)
    assert f(r0 + d0 * w, theta) > 0 > f(r0 + d1 * w, theta), name
    return {"name": name, "args": {"f": ref, "theta": theta, "r0": r0, "w": w, "d0": float(d0), "d1": float(d1)}}


def _fixtures():
    path = Path(__file__).resolve().parents[1] / "exercises" / "fixtures.py"
    spec = importlib.util.spec_from_file_location("implicit_surface_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(fixtures, ref):
    return getattr(fixtures, ref.factory)(**ref.params)


def _sphere_ref(_g=None):
    return CallableRef("make_sphere_sdf", {}, "sphere SDF  f(p, θ) = ‖p − (θ0, θ1, θ2)‖ − θ3")


def _quadric_ref(_g=None):
    return CallableRef("make_quadric", {}, "quadric  f(p, θ) = (p − m)ᵀ Q (p − m) − 1, "
                                           "θ = (Q11, Q22, Q33, Q12, Q13, Q23, m1, m2, m3)")


def _mlp_ref(g):
    radius = round(0.9 + 0.3 * torch.rand((), generator=g, dtype=torch.float64).item(), 3)
    return CallableRef("make_mlp_surface", {"hidden": MLP_HIDDEN, "radius": radius},
                       f"MLP surface  f(p, θ) = ‖p‖ − {radius} + w2 · tanh(W1 p + b1) + b2, "
                       f"θ = [W1 ({MLP_HIDDEN}×3, row-major), b1 ({MLP_HIDDEN}), w2 ({MLP_HIDDEN}), b2]")


def _random_sphere(g, fixtures):
    center = 0.5 * torch.randn(3, generator=g, dtype=torch.float64)
    radius = 0.7 + 0.8 * torch.rand(1, generator=g, dtype=torch.float64)
    return torch.cat([center, radius]), center


def _random_quadric(g, fixtures):
    rotation, _ = torch.linalg.qr(torch.randn(3, 3, generator=g, dtype=torch.float64))
    axes = 0.6 + 0.8 * torch.rand(3, generator=g, dtype=torch.float64)
    Q = rotation @ torch.diag(axes ** -2) @ rotation.T
    center = 0.3 * torch.randn(3, generator=g, dtype=torch.float64)
    theta = torch.stack([Q[0, 0], Q[1, 1], Q[2, 2], Q[0, 1], Q[0, 2], Q[1, 2], *center])
    return theta, center


def _random_mlp(g, fixtures):
    h = MLP_HIDDEN
    scales = torch.cat([torch.full((3 * h,), 1.5), torch.full((h,), 0.5), torch.full((h,), 0.15),
                        torch.tensor([0.05])]).to(torch.float64)
    origin = torch.zeros(3, dtype=torch.float64)
    f = fixtures.make_mlp_surface(h, 1.0)  # the real radius is ≥ 0.9: f(0) is at most 0.1 higher
    while True:
        theta = scales * torch.randn(fixtures.mlp_parameter_count(h), generator=g, dtype=torch.float64)
        if f(origin, theta) < -0.4:  # the origin is well inside, so rays from it cross the surface
            return theta, origin


def _oblique_ray(f, theta, center, g, min_cos=0.3, max_cos=0.9):
    """A ray from outside whose first crossing meets the surface at an incidence cosine in
    [min_cos, max_cos] (never grazing, never head-on), with a bracket around that crossing."""
    for _ in range(1000):
        u = _unit(torch.randn(3, generator=g, dtype=torch.float64))
        # f > 0 at distance 10, < 0 at the centre (the bracket may run backwards)
        target = center + _bisect_root(lambda s: f(center + s * u, theta).item(), 10.0, 0.0) * u
        n = _unit(_grad_p(f, theta, target))
        cos = min_cos + (max_cos - min_cos) * torch.rand((), generator=g, dtype=torch.float64)
        v = _unit(torch.linalg.cross(n, torch.randn(3, generator=g, dtype=torch.float64)))
        w = _unit(-cos * n + torch.sqrt(1 - cos ** 2) * v)
        r0 = target - (1.5 + 1.5 * torch.rand((), generator=g, dtype=torch.float64)) * w
        found = _first_crossing_bracket(f, theta, r0, w, g)
        if found is None:
            continue
        d_star, d0, d1 = found
        incidence = abs(_unit(_grad_p(f, theta, r0 + d_star * w)) @ w)
        if min_cos <= incidence <= max_cos + 0.05:
            return r0, w, d0, d1
    raise RuntimeError("no oblique ray found; check the surface parameters")


def _first_crossing_bracket(f, theta, r0, w, g, step=1e-3, far=8.0):
    """(d*, d0, d1): the first sign change of f along the ray on [0, far], and a random bracket
    [d0, d1] around it that stays clear of the next crossing (checked on a fine grid)."""
    grid = torch.arange(0.0, far, step, dtype=torch.float64)
    inside = (f(r0 + grid[:, None] * w, theta) <= 0).tolist()
    if inside[0] or not any(inside):
        return None
    k = inside.index(True)
    d_star = _bisect_root(lambda d: f(r0 + d * w, theta).item(), grid[k - 1].item(), grid[k].item())
    exit_index = next((i for i in range(k, len(inside)) if not inside[i]), len(inside))
    room_after = grid[exit_index - 1].item() - d_star
    widths = (0.05 + 0.25 * torch.rand(2, generator=g, dtype=torch.float64)).tolist()
    d0 = max(d_star - widths[0], 0.5 * d_star)
    d1 = d_star + min(widths[1], 0.5 * room_after)
    if d1 - d_star < 0.01:
        return None
    return d_star, round(d0, 6), round(d1, 6)


def _grad_p(f, theta, p):
    p = p.clone().requires_grad_(True)
    return torch.autograd.grad(f(p, theta), p)[0]


def _unit(v):
    return v / torch.linalg.vector_norm(v)
