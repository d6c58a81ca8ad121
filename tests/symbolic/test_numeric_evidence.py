"""Numeric evidence through the real worker: wrong answers that agree with the reference on a small
box, at known points or to 12 digits must fail; numeric passes must say what was observed, not
"equivalent"; a request's seed decides the points.

Each wrong answer below passed before the sampler covered the whole domain and looked on both
sides of floor/abs steps (the old box was |x| ≤ 3, 0.1 ≤ p ≤ 4, conv strides 1 … 4, and the
tolerance a relative 1e-9).
"""

from __future__ import annotations

import pytest

from dlcheck.symbolic.client import check_symbolic
from dlcheck.symbolic.sampling import PointSource
from dlcheck.symbolic.table import build_table

from symbolic_helpers import free_xy_request, request_for, run_all

BUDGET = 8.0
SECRET_SEED = 917_305_122
CONV_REFERENCE = "floor((L_in + 2p - d(k - 1) - 1)/s) + 1"

# Two unbounded reals with the reference -x/y (the slope on a circle, but sampled anywhere): the
# exercise implicit_diff_circle itself now samples on the circle, where x is bounded.
FREE_XY = "free_xy"

WRONG = {
    # a step just beyond the old sampling box
    "abs_step_beyond_the_old_box": (FREE_XY, "-x/y + abs(x - 5) + x - 5"),
    "floor_step_beyond_the_old_box": ("gan_optimal_discriminator", "p_d/(p_d + p_m) + floor(p_d/5)"),
    "integer_floor_beyond_the_old_range": ("conv_shape_formula", CONV_REFERENCE + " + floor(s/5)"),
    # a step beyond any random point (magnitudes stop at 10^6): only its two sides show it
    "abs_step_far_beyond_any_sample": (FREE_XY, "-x/y + abs(x - 10^9) + x - 10^9"),
    "floor_step_far_beyond_any_sample": ("gan_optimal_discriminator", "p_d/(p_d + p_m) + floor(p_d/10^9)"),
    "ceil_step_far_beyond_any_sample": ("conv_shape_formula", CONV_REFERENCE + " + ceil(L_in/10^8) - 1"),
    # a step in an argument that is not a rational function, beyond any random point and the
    # bisection grid (e^30 ≈ 1.1e13, 10^14)
    "abs_of_a_log_far_beyond_any_sample": ("gan_optimal_discriminator",
                                           "p_d/(p_d + p_m) + abs(log(p_d) - 30) + log(p_d) - 30"),
    "abs_of_a_root_far_beyond_any_sample": ("gan_optimal_discriminator",
                                            "p_d/(p_d + p_m) + abs(sqrt(p_d) - 10^7) + sqrt(p_d) - 10^7"),
    # right on one side of a place only
    "right_for_positive_x_only": (FREE_XY, "-abs(x)/y"),
    "right_below_a_far_place_only": ("gan_optimal_discriminator",
                                     "p_d/(p_d + p_m)*(1 + abs(p_d - 10^7) + p_d - 10^7)"),
    # off in the 12th or 15th digit
    "relative_perturbation": (FREE_XY, "-x/y*(1 + 10^-12)"),
    "absolute_perturbation": (FREE_XY, "-x/y + 10^(-15)*x"),
}

def _request(symbols: dict, answer: str, reference: str) -> dict:
    return {"symbols": symbols, "answer": answer, "reference": reference, "budget_seconds": BUDGET}


def _free_xy(answer: str) -> dict:
    return dict(free_xy_request(answer), budget_seconds=BUDGET)


def _request_on(exercise: str, answer: str) -> dict:
    return _free_xy(answer) if exercise == FREE_XY else request_for(exercise, answer)


# Correct answers whose check needs points on both sides of each step (and exactly on it).
REAL_X = {"x": {"domain": "real"}}
INTEGERS = {"n": {"domain": "integer"}, "m": {"domain": "positive_integer"}}
CORRECT = {
    "hermite_identity_on_reals": _request(REAL_X, "floor(x) + floor(x + 1/2)", "floor(2x)"),
    "ceil_as_minus_floor_on_reals": _request(REAL_X, "-floor(-x)", "ceil(x)"),
    "halves_of_an_integer": _request(INTEGERS, "floor(n/2) + ceil(n/2)", "n"),
    "rounded_up_division": _request(INTEGERS, "floor((n + m - 1)/m)", "ceil(n/m)"),
    "abs_of_a_log": _request(REAL_X, "sqrt(log(abs(x))^2)", "abs(log(abs(x)))"),
    "conv_rounded_up": request_for("conv_shape_formula", "ceil((L_in + 2p - d(k-1))/s)"),
}


def _fitted_to_known_points(count: int = 60) -> str:
    """-x/y plus a polynomial that vanishes at the x of each of the first `count` points the
    default seed draws: right at every known point, wrong nearly everywhere else."""
    table = build_table(_free_xy(""))
    source = PointSource(table)
    x = table.lookup("x")
    roots = {source.point(i)[x] for i in range(count)}
    return "-x/y + " + "*".join(f"(x - ({root}))" for root in sorted(roots))


def _jobs() -> dict:
    jobs = {("wrong", name): (_request_on(exercise, answer),) for name, (exercise, answer) in WRONG.items()}
    jobs |= {("correct", name): (request,) for name, request in CORRECT.items()}
    fitted = _free_xy(_fitted_to_known_points())
    jobs[("fitted", "default seed")] = (fitted,)
    jobs[("fitted", "secret seed")] = (dict(fitted, seed=SECRET_SEED),)
    wrong = _free_xy("-x/y + 1/1000")
    jobs[("seeded", "a")] = (dict(wrong, seed=1),)
    jobs[("seeded", "a again")] = (dict(wrong, seed=1),)
    jobs[("seeded", "b")] = (dict(wrong, seed=2),)
    jobs[("proved", "rewritten")] = (_free_xy("x/(-y)"),)
    return {key: (dict(request, budget_seconds=BUDGET), BUDGET) for key, (request,) in jobs.items()}


@pytest.fixture(scope="module")
def replies():
    return run_all(_jobs(), check_symbolic)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_answers_right_only_where_the_old_sampler_looked_fail(name, replies):
    reply = replies[("wrong", name)]
    assert reply["status"] == "fail", f"{WRONG[name][1]!r}: {reply['message']}"
    assert reply["method"] == "numeric" and reply["counterexample"]["point"]
    assert "differs from the expected one" in reply["message"]


def test_a_far_step_is_shown_at_a_point_beside_it(replies):
    point = replies[("wrong", "abs_step_far_beyond_any_sample")]["counterexample"]["point"]
    assert point["x"] > 10**9 and point["x"] - 10**9 < 10  # just above the place where abs turns


def test_a_tiny_relative_difference_is_shown_with_the_digits_that_differ(replies):
    reply = replies[("wrong", "relative_perturbation")]
    message = reply["message"]
    given = message.split("you give ")[1].split(", expected ")[0]
    expected = message.split(", expected ")[1].rstrip(".")
    assert given != expected and len(given) > 8, message
    assert reply["counterexample"]["answer"] != reply["counterexample"]["expected"]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_answers_checked_on_both_sides_of_their_steps_pass(name, replies):
    reply = replies[("correct", name)]
    assert reply["status"] == "pass", reply["message"]
    assert reply["method"] == "numeric"


def test_a_numeric_pass_says_what_was_observed_and_never_equivalent(replies):
    message = replies[("correct", "conv_rounded_up")]["message"]
    assert "agrees with the expected expression at 40 random points of the allowed values" in message
    assert "on both sides of the places where ceil or floor changes" in message
    assert "(not proved symbolically)" in message
    assert "equivalent" not in message and "Correct" not in message


def test_a_proof_says_proved_equal(replies):
    reply = replies[("proved", "rewritten")]
    assert reply["status"] == "pass" and reply["method"] == "symbolic"
    assert "proved equal" in reply["message"]


def test_an_answer_fitted_to_the_known_points_fails_under_a_secret_seed(replies):
    # The construction is right: at the default seed's points it cannot be told apart ...
    known = replies[("fitted", "default seed")]
    assert known["status"] == "pass" and known["method"] == "numeric", known["message"]
    # ... which is why the grader passes a secret seed, and then it fails.
    secret = replies[("fitted", "secret seed")]
    assert secret["status"] == "fail", secret["message"]


def test_the_seed_decides_the_points(replies):
    first, again, other = (replies[("seeded", key)] for key in ("a", "a again", "b"))
    assert first["status"] == again["status"] == other["status"] == "fail"
    assert first["counterexample"] == again["counterexample"]
    assert first["counterexample"]["point"] != other["counterexample"]["point"]


@pytest.mark.parametrize("seed", ["7", 1.5, True, [1]])
def test_a_seed_that_is_not_an_integer_is_a_malformed_request(seed):
    reply = check_symbolic(dict(_free_xy("-x/y"), seed=seed), timeout=BUDGET)
    assert reply["status"] == "error" and "'seed' must be an integer" in reply["message"]
