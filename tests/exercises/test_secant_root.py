"""secant_root: the reference against the closed-form sphere and against convergence to the true root; the
generated brackets.
(Other correct styles, rules and feedback: `examples:` in exercises/secant_root.yaml.)"""

import math
from pathlib import Path

import pytest
import torch

from exercises import fixtures
from solutions.secant_root import make_cases, secant_root

EXERCISE = "secant_root"
REFERENCE_SOURCE = (Path(__file__).resolve().parents[2] / "solutions" / f"{EXERCISE}.py").read_text()
SPHERE = fixtures.make_sphere_sdf()


@pytest.fixture(scope="module")
def cases(course):
    made = make_cases(course.get(EXERCISE).cases.seed)
    return [(c["name"], getattr(fixtures, c["args"]["f"].factory)(**c["args"]["f"].params), c["args"]) for c in made]


def along_ray(f, args):
    return lambda d: f(args["r0"] + d * args["w"], args["theta"]).item()


def sphere_g(center, radius, r0, w):
    """f along the ray for a sphere, in closed form: ‖r0 − c + d w‖ − r with ‖w‖ = 1."""
    o = [a - b for a, b in zip(r0, center)]
    ow, oo = sum(a * b for a, b in zip(o, w)), sum(a * a for a in o)
    return lambda d: math.sqrt(d * d + 2 * d * ow + oo) - radius


def tensors(*vectors):
    return [torch.tensor(v, dtype=torch.float64) for v in vectors]


def test_one_step_is_the_zero_of_the_chord_on_a_closed_form_sphere():
    center, radius, r0, w = [0.2, -0.1, 0.3], 1.1, [-2.5, 0.4, 0.1], [1.0, 0.0, 0.0]
    g = sphere_g(center, radius, r0, w)
    d0, d1 = 1.0, 2.2
    assert g(d0) > 0 > g(d1)
    chord_zero = (d0 * g(d1) - d1 * g(d0)) / (g(d1) - g(d0))
    theta, r0_t, w_t = tensors(center + [radius], r0, w)
    assert secant_root(SPHERE, theta, r0_t, w_t, d0, d1, 1) == pytest.approx(chord_zero, rel=1e-14)


def test_a_linear_g_is_solved_exactly_in_one_step():
    theta, r0, w = tensors([0.0, 0.0, 0.0, 1.0], [-3.0, 0.0, 0.0], [1.0, 0.0, 0.0])
    assert secant_root(SPHERE, theta, r0, w, 0.5, 2.9, 1) == pytest.approx(2.0, abs=1e-15)


def test_many_steps_converge_to_the_first_crossing(cases):
    for name, f, args in cases:
        g = along_ray(f, args)
        d = secant_root(f, args["theta"], args["r0"], args["w"], args["d0"], args["d1"], 200)
        assert args["d0"] < d < args["d1"], name
        assert abs(g(d)) < 1e-10, name


def test_every_secant_point_stays_in_the_bracket_and_the_residual_shrinks(cases):
    for name, f, args in cases:
        g = along_ray(f, args)
        points = [secant_root(f, args["theta"], args["r0"], args["w"], args["d0"], args["d1"], n) for n in (1, 2, 4, 8)]
        assert all(args["d0"] < d < args["d1"] for d in points), name
        residuals = [abs(g(d)) for d in points]
        assert residuals == sorted(residuals, reverse=True), (name, residuals)


def test_brackets_hold_the_first_crossing_and_no_other(cases):
    factories = {args["f"].factory for _, _, args in cases}
    assert factories == {"make_sphere_sdf", "make_quadric", "make_mlp_surface"}
    for name, f, args in cases:
        r0, w, theta = args["r0"], args["w"], args["theta"]
        assert type(args["d0"]) is float and type(args["d1"]) is float and type(args["n"]) is int, name
        assert 0 <= args["d0"] < args["d1"] and 1 <= args["n"] <= 4, name
        depths = torch.linspace(0.0, args["d1"], 4001, dtype=torch.float64)
        inside = (f(r0 + depths[:, None] * w, theta) <= 0).tolist()
        assert not inside[0] and inside[-1], name
        assert sum(a != b for a, b in zip(inside, inside[1:])) == 1, f"{name}: more than one crossing before d1"


def secant_values(f, args):
    """g at each of the n secant points of the reference's search (the sign says which end moved)."""
    g = along_ray(f, args)
    return [g(secant_root(f, args["theta"], args["r0"], args["w"], args["d0"], args["d1"], k))
            for k in range(1, args["n"] + 1)]


def test_public_cases_move_both_ends_of_the_bracket(cases):
    """Convex g (sphere, ellipsoid) keeps every secant point inside; the hyperboloids keep them outside,
    so that keeping the wrong end or returning d1 shows on several public cases."""
    outside = [name for name, f, args in cases if all(v > 0 for v in secant_values(f, args))]
    inside = [name for name, f, args in cases if all(v <= 0 for v in secant_values(f, args))]
    assert len(outside) >= 3 and outside[0].startswith("keep the sign change: hyperboloid"), outside
    assert len(inside) >= 6, inside


def test_returning_the_inside_end_fails_on_the_concave_cases(grade_text):
    result = grade_text(EXERCISE, REFERENCE_SOURCE.replace("    return d\n", "    return d1\n", 1))
    assert result.diagnosis["id"] == "returned_bracket_end"
    failed = [t.name for t in result.tests if t.status == "fail" and not t.hidden]
    assert len(failed) >= 3 and failed[0].startswith("keep the sign change: hyperboloid"), failed
