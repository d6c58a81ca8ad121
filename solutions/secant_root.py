"""Reference for secant_root: the secant search for the first ray–surface hit, as in DVR.

Niemeyer et al. 2020 (Differentiable Volumetric Rendering), Sec. 3.5: march along the ray to the
first sign change of f, then run a fixed number of secant steps on that interval. Their
implementation (`run_Secant_method`) keeps the sign-changing interval: each secant point replaces
the end whose value has its sign (regula falsi). A step here = one secant point + one evaluation;
the answer is the n-th secant point.
"""

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
    """Two hand-checkable sphere rays, then rays at a sphere, an ellipsoid and a bumpy MLP surface
    with the bracket found as DVR finds it: the first sign change on a coarse grid of depths."""
    fixtures = _fixtures()
    sphere = _sphere_ref()
    unit_sphere = torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    cases = [
        _case("unit sphere, head-on ray: g(d) = |d − 3| − 1, 1 step",
              sphere, unit_sphere, [-3.0, 0.0, 0.0], [1.0, 0.0, 0.0], 1.0, 2.5, 1),
        _case("unit sphere, ray 0.6 off centre, 3 steps",
              sphere, unit_sphere, [-3.0, 0.6, 0.0], [1.0, 0.0, 0.0], 1.5, 3.0, 3),
    ]
    g = torch.Generator().manual_seed(seed)
    surfaces = [("sphere", _random_sphere), ("ellipsoid", _random_ellipsoid), ("MLP surface", _random_mlp)]
    for number in range(1, 4):
        for name, draw in surfaces:
            ref, theta, center = draw(g)
            f = getattr(fixtures, ref.factory)(**ref.params)
            r0, w, d0, d1 = _ray_with_bracket(f, theta, center, g)
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


def _random_sphere(g):
    center = 0.3 * torch.randn(3, generator=g, dtype=torch.float64)
    radius = 0.6 + 0.8 * torch.rand(1, generator=g, dtype=torch.float64)
    return _sphere_ref(), torch.cat([center, radius]), center


def _random_ellipsoid(g):
    """(p − m)ᵀ Q (p − m) = 1 with Q = A Aᵀ + 0.4 I: semi-axes between ~0.5 and ~1.6."""
    A = 0.5 * torch.randn(3, 3, generator=g, dtype=torch.float64)
    Q = A @ A.T + 0.4 * torch.eye(3, dtype=torch.float64)
    m = 0.3 * torch.randn(3, generator=g, dtype=torch.float64)
    theta = torch.stack([Q[0, 0], Q[1, 1], Q[2, 2], Q[0, 1], Q[0, 2], Q[1, 2], *m])
    ref = CallableRef("make_quadric", {}, "quadric  f(p, θ) = (p − m)ᵀ Q (p − m) − 1, "
                                          "θ = (Q11, Q22, Q33, Q12, Q13, Q23, m1, m2, m3)")
    return ref, theta, m


def _random_mlp(g):
    """A bumpy sphere of radius ~1 whose centre (the origin) is well inside."""
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
            return ref, theta, origin


def _ray_with_bracket(f, theta, center, g, start=3.0):
    """A ray from distance `start` aimed near `center`, and [d0, d1]: the first sign change of f on a
    coarse grid of depths, holding exactly one crossing (checked on a fine grid)."""
    while True:
        u = _unit(torch.randn(3, generator=g, dtype=torch.float64))
        r0 = center + start * u
        w = _unit(-u + 0.25 * torch.randn(3, generator=g, dtype=torch.float64))
        step = 0.4 + 0.5 * torch.rand((), generator=g, dtype=torch.float64).item()
        coarse = [k * step for k in range(int(2 * start / step) + 1)]
        values = [f(r0 + d * w, theta).item() for d in coarse]
        k = next((i for i, v in enumerate(values) if v <= 0), None)
        if k is None or k == 0 or not _one_crossing(f, theta, r0, w, 0.0, coarse[k]):
            continue
        return r0, w, round(coarse[k - 1], 6), round(coarse[k], 6)


def _one_crossing(f, theta, r0, w, a, b):
    depths = torch.linspace(a, b, 2001, dtype=torch.float64)
    inside = f(r0 + depths[:, None] * w, theta) <= 0
    return int((inside[1:] != inside[:-1]).sum()) == 1


def _unit(v):
    return v / torch.linalg.vector_norm(v)
