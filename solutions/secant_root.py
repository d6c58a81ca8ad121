"""Reference for secant_root: the secant search for the first ray–surface hit, as in DVR.

Niemeyer et al. 2020 (Differentiable Volumetric Rendering), Sec. 3.5: march along the ray to the
first sign change of f, then run a fixed number of secant steps on that interval. Their
implementation (`run_Secant_method`) keeps the sign-changing interval: each secant point replaces
the end whose value has its sign (regula falsi). A step here = one secant point + one evaluation;
the answer is the n-th secant point.
"""

import math
import runpy
from pathlib import Path
from types import SimpleNamespace

import torch

from dlcheck.wire import CallableRef


def secant_root(f, theta, r0, w, d0, d1, n):
    g = lambda d: f(r0 + d * w, theta).item()  # noqa: E731  (f along the ray, as a float)
    g0, g1 = g(d0), g(d1)
    for _ in range(n):
        d = d1 - g1 * (d1 - d0) / (g1 - g0)
        gd = g(d)
        if gd > 0:  # still outside: d is the new near end of the bracket
            d0, g0 = d, gd
        else:
            d1, g1 = d, gd
    return d


# ---------------------------------------------------------------- cases (reference process only)

MLP_HIDDEN = 4


def make_cases(seed):
    """Hand-checkable rays, then random rays at a sphere, an ellipsoid, a hyperboloid and a bumpy MLP
    surface with the bracket found as DVR finds it: the first sign change on a coarse grid of depths.

    Along a sphere or an ellipsoid g is convex, so every secant point lands inside (g ≤ 0) and only
    d1 moves; there, keeping the wrong end or returning d1 looks right. A hyperboloid seen along its
    axis makes g concave: every secant point lands outside and d0 moves. The MLP mixes both."""
    fixtures = _fixtures()
    sphere = _sphere_ref()
    unit_sphere = torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    hyperboloid = torch.tensor([-1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype=torch.float64)
    cases = [
        _case("unit sphere, head-on ray: g(d) = |d − 3| − 1, 1 step",
              sphere, unit_sphere, [-3.0, 0.0, 0.0], [1.0, 0.0, 0.0], 1.0, 2.5, 1),
        _case("unit sphere, ray 0.6 off centre, 3 steps",
              sphere, unit_sphere, [-3.0, 0.6, 0.0], [1.0, 0.0, 0.0], 1.5, 3.0, 3),
        _case("keep the sign change: hyperboloid −x² + y² + z² = 1 along its axis, g(d) = 1.25 − d² is concave, "
              "every secant point lands outside (g > 0) so d0 moves, 3 steps",
              _quadric_ref(), hyperboloid, [0.0, 1.5, 0.0], [1.0, 0.0, 0.0], 0.5, 2.0, 3),
    ]
    g = torch.Generator().manual_seed(seed)
    surfaces = [("sphere", _random_sphere), ("ellipsoid", _random_ellipsoid),
                ("hyperboloid along its axis (g concave)", _random_hyperboloid), ("MLP surface", _random_mlp)]
    for number in range(1, 4):
        for name, draw in surfaces:
            ref, theta, draw_ray = draw(g)
            f = getattr(fixtures, ref.factory)(**ref.params)
            r0, w, d0, d1 = _ray_with_bracket(f, theta, draw_ray, g)
            n = int(torch.randint(1, 5, (), generator=g))
            cases.append(_case(f"{name} #{number}, {n} step{'s' * (n > 1)}", ref, theta, r0, w, d0, d1, n))
    return cases


def _case(name, ref, theta, r0, w, d0, d1, n):
    as_tensor = lambda v: torch.as_tensor(v, dtype=torch.float64)  # noqa: E731
    args = {"f": ref, "theta": theta, "r0": as_tensor(r0), "w": as_tensor(w), "d0": float(d0), "d1": float(d1),
            "n": n}
    return {"name": name, "args": args}


def _fixtures():
    """exercises/fixtures.py as a namespace (the reference module is loaded by path, not as a package)."""
    return SimpleNamespace(**runpy.run_path(str(Path(__file__).resolve().parents[1] / "exercises" / "fixtures.py")))


def _sphere_ref():
    return CallableRef("make_sphere_sdf", {}, "sphere SDF  f(p, θ) = ‖p − (θ0, θ1, θ2)‖ − θ3")


def _quadric_ref():
    return CallableRef("make_quadric", {}, "quadric  f(p, θ) = (p − m)ᵀ Q (p − m) − 1, "
                                           "θ = (Q11, Q22, Q33, Q12, Q13, Q23, m1, m2, m3)")


def _quadric_theta(Q, m):
    return torch.stack([Q[0, 0], Q[1, 1], Q[2, 2], Q[0, 1], Q[0, 2], Q[1, 2], *m])


def _random_sphere(g):
    center = 0.3 * torch.randn(3, generator=g, dtype=torch.float64)
    radius = 0.6 + 0.8 * torch.rand(1, generator=g, dtype=torch.float64)
    return _sphere_ref(), torch.cat([center, radius]), _rays_at(center)


def _random_ellipsoid(g):
    """(p − m)ᵀ Q (p − m) = 1 with Q = A Aᵀ + 0.4 I: semi-axes between ~0.5 and ~1.6."""
    A = 0.5 * torch.randn(3, 3, generator=g, dtype=torch.float64)
    Q = A @ A.T + 0.4 * torch.eye(3, dtype=torch.float64)
    m = 0.3 * torch.randn(3, generator=g, dtype=torch.float64)
    return _quadric_ref(), _quadric_theta(Q, m), _rays_at(m)


def _random_hyperboloid(g):
    """A hyperboloid of one sheet, −a x'² + b y'² + c z'² = 1 in a rotated frame R around m, seen from
    outside it (off the axis, where b y'² + c z'² = k > 1) along a ray nearly parallel to the axis x'.
    There wᵀ Q w < 0: g(d) is a concave parabola, positive at d = 0, with one root ahead."""
    R = torch.linalg.qr(torch.randn(3, 3, generator=g, dtype=torch.float64))[0]
    a, b, c = (0.5 + 1.5 * torch.rand(3, generator=g, dtype=torch.float64)).tolist()
    Q = R @ torch.diag(torch.tensor([-a, b, c], dtype=torch.float64)) @ R.T
    m = 0.3 * torch.randn(3, generator=g, dtype=torch.float64)
    return _quadric_ref(), _quadric_theta(Q, m), lambda g: _ray_along_axis(Q, m, R, b, c, g)


def _ray_along_axis(Q, m, R, b, c, g):
    while True:
        k = 1.3 + 1.7 * torch.rand((), generator=g, dtype=torch.float64).item()
        angle = 2 * math.pi * torch.rand((), generator=g, dtype=torch.float64).item()
        offset = R[:, 1] * math.cos(angle) * math.sqrt(k / b) + R[:, 2] * math.sin(angle) * math.sqrt(k / c)
        r0 = m + offset + 0.2 * torch.randn((), generator=g, dtype=torch.float64) * R[:, 0]
        sign = 1.0 if torch.rand((), generator=g).item() < 0.5 else -1.0
        w = _unit(sign * R[:, 0] + 0.15 * torch.randn(3, generator=g, dtype=torch.float64))
        u = r0 - m
        if w @ Q @ w < -0.2 and u @ Q @ u - 1 > 0.1:
            return r0, w


def _random_mlp(g):
    """A bumpy sphere of radius ~1 whose centre (the origin) is well inside, and a ray at it."""
    h = MLP_HIDDEN
    ref = CallableRef("make_mlp_surface", {"hidden": h, "radius": 1.0},
                      f"MLP surface  f(p, θ) = ‖p‖ − 1 + w2 · tanh(W1 p + b1) + b2, "
                      f"θ = [W1 ({h}×3, row-major), b1 ({h}), w2 ({h}), b2]")
    f = _fixtures().make_mlp_surface(h, 1.0)
    scales = torch.tensor([1.5] * 3 * h + [0.5] * h + [0.2] * h + [0.05], dtype=torch.float64)
    origin = torch.zeros(3, dtype=torch.float64)
    while True:
        theta = scales * torch.randn(5 * h + 1, generator=g, dtype=torch.float64)
        if f(origin, theta) < -0.4:
            return ref, theta, _rays_at(origin)


def _rays_at(center, start=3.0):
    """draw_ray(g) -> (r0, w): a ray from distance `start` aimed near `center`."""
    def draw_ray(g):
        u = _unit(torch.randn(3, generator=g, dtype=torch.float64))
        return center + start * u, _unit(-u + 0.25 * torch.randn(3, generator=g, dtype=torch.float64))
    return draw_ray


def _ray_with_bracket(f, theta, draw_ray, g, reach=6.0):
    """A ray from draw_ray(g), and [d0, d1]: the first sign change of f on a coarse grid of depths up to
    `reach`, holding exactly one crossing (checked on a fine grid). A ray that misses is redrawn."""
    while True:
        r0, w = draw_ray(g)
        step = 0.4 + 0.5 * torch.rand((), generator=g, dtype=torch.float64).item()
        coarse = [k * step for k in range(int(reach / step) + 1)]
        values = [f(r0 + d * w, theta).item() for d in coarse]
        k = next((i for i, v in enumerate(values) if v <= 0), None)
        if k is not None and k > 0 and _one_crossing(f, theta, r0, w, 0.0, coarse[k]):
            return r0, w, round(coarse[k - 1], 6), round(coarse[k], 6)


def _one_crossing(f, theta, r0, w, a, b):
    depths = torch.linspace(a, b, 2001, dtype=torch.float64)
    inside = f(r0 + depths[:, None] * w, theta) <= 0
    return int((inside[1:] != inside[:-1]).sum()) == 1


def _unit(v):
    return v / torch.linalg.vector_norm(v)
