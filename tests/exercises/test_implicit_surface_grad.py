"""implicit_surface_grad: the reference against finite differences of the true root; the generated rays and
brackets.
(Other correct styles, rules and feedback: `examples:` in exercises/implicit_surface_grad.yaml.)"""

import pytest
import torch

from exercises import fixtures
from solutions.implicit_surface_grad import implicit_surface_grad, make_cases

EXERCISE = "implicit_surface_grad"


@pytest.fixture(scope="module")
def cases(course):
    made = make_cases(course.get(EXERCISE).cases.seed)
    return [(c["name"], surface(c["args"]["f"]), c["args"]) for c in made]


def ray(args):
    """theta, r0, w, d0, d1: the case's arguments after f."""
    return [args[k] for k in ("theta", "r0", "w", "d0", "d1")]


def surface(ref):
    return getattr(fixtures, ref.factory)(**ref.params)


def true_root(f, theta, r0, w, d0, d1):
    """Bisection to machine precision; f(r0 + d0 w) > 0 > f(r0 + d1 w)."""
    a, b = d0, d1
    while True:
        m = 0.5 * (a + b)
        if m in (a, b):
            return m
        a, b = (m, b) if f(r0 + m * w, theta) > 0 else (a, m)


def finite_difference_jacobian(f, args, h=1e-6):
    theta = args["theta"]
    columns = []
    for i in range(theta.numel()):
        e = torch.zeros_like(theta)
        e[i] = h
        hit = [args["r0"] + true_root(f, theta + s * e, args["r0"], args["w"], args["d0"], args["d1"]) * args["w"]
               for s in (1, -1)]
        columns.append((hit[0] - hit[1]) / (2 * h))
    return torch.stack(columns, dim=1)


def test_reference_matches_finite_differences_of_the_true_root(cases):
    for name, f, args in cases:
        p_hat, dp_dtheta = implicit_surface_grad(f, *ray(args))
        assert p_hat.dtype == dp_dtheta.dtype == torch.float64
        assert dp_dtheta.shape == (3, args["theta"].numel()), name
        d = true_root(f, *ray(args))
        torch.testing.assert_close(p_hat, args["r0"] + d * args["w"], rtol=0, atol=1e-12, msg=name)
        torch.testing.assert_close(dp_dtheta, finite_difference_jacobian(f, args), rtol=1e-6, atol=1e-7, msg=name)


def test_cases_cover_the_three_surfaces_with_float64_inputs(cases):
    factories = {args["f"].factory for _, _, args in cases}
    assert factories == {"make_sphere_sdf", "make_quadric", "make_mlp_surface"}
    for name, _, args in cases:
        assert all(args[k].dtype == torch.float64 for k in ("theta", "r0", "w")), name
        assert type(args["d0"]) is float and type(args["d1"]) is float and 0 <= args["d0"] < args["d1"], name
        torch.testing.assert_close(torch.linalg.vector_norm(args["w"]), torch.tensor(1.0, dtype=torch.float64))


def test_each_bracket_holds_the_first_crossing_and_no_other(cases):
    for name, f, args in cases:
        r0, w, theta = args["r0"], args["w"], args["theta"]
        values = lambda a, b: f(r0 + torch.linspace(a, b, 4001, dtype=torch.float64)[:, None] * w, theta)  # noqa: E731
        assert (values(0.0, args["d0"]) > 0).all(), f"{name}: a crossing before d0"
        inside = values(args["d0"], args["d1"]) <= 0
        assert not inside[0] and inside[-1], name
        assert int((inside[1:] != inside[:-1]).sum()) == 1, f"{name}: more than one crossing in [d0, d1]"


def test_rays_are_oblique_at_the_hit(cases):
    """Neither grazing (the gradient would blow up) nor head-on (normal and ray mistakes would agree)."""
    for name, f, args in cases:
        p = (args["r0"] + true_root(f, *ray(args)) * args["w"]).requires_grad_(True)
        normal = torch.autograd.grad(f(p, args["theta"]), p)[0]
        cosine = -(normal / normal.norm()) @ args["w"]
        assert 0.3 <= cosine <= 0.95, (name, cosine)
