"""The equivalence cascade, in process: symbolic proofs, numeric evidence, sampling, and the specs' mistakes."""

from __future__ import annotations

import itertools

import pytest
from sympy import Abs, Float, Heaviside, Integer, Max, Piecewise, Rational, pi, sign

from dlcheck.symbolic.breakpoints import Crossings, steps_in
from dlcheck.symbolic.equivalence import WANTED_POINTS, Comparer
from dlcheck.symbolic.parser import parse
from dlcheck.symbolic.sampling import PointSource, close, value_at
from dlcheck.symbolic.table import build_table
from dlcheck.symbolic.timebox import Deadline

from equivalent_forms import EQUIVALENT_FORMS
from symbolic_helpers import SYMBOLIC_EXERCISES, reference_of, request_for, spec_of


def compare(table, answer: str, expected: str, seconds: float = 8.0):
    comparer = Comparer(table, PointSource(table))
    return comparer.compare(parse(answer, table), parse(expected, table), Deadline(seconds))


@pytest.mark.parametrize("exercise", SYMBOLIC_EXERCISES)
def test_mistakes_differ_from_the_reference_and_from_each_other(exercise, tables):
    """A mistake equal to the reference, or to another mistake, could never be diagnosed as itself."""
    table = tables[exercise]
    spec = spec_of(exercise)
    expressions = {"reference": reference_of(exercise)} | {m.id: m.expr for m in spec.mistakes}
    assert len(spec.mistakes) >= 3 and len(spec.hints) >= 2
    for (name_a, a), (name_b, b) in itertools.combinations(expressions.items(), 2):
        verdict = compare(table, a, b)
        assert verdict.equivalent is False, f"{name_a} and {name_b}: {verdict}"
        assert verdict.counterexample is not None


def test_symbolic_proof_for_rewritten_logs_and_fractions(tables):
    kl = tables["kl_gaussian_1d"]
    verdict = compare(kl, r"\ln\sigma_2 - \ln\sigma_1 + \frac{\sigma_1^2 + (\mu_2-\mu_1)^2}{2\sigma_2^2} - \frac12",
                      reference_of("kl_gaussian_1d"))
    assert verdict.equivalent and verdict.method == "symbolic"
    sigmoid = tables["sigmoid_derivative"]
    verdict = compare(sigmoid, "exp(-x)/(1 + exp(-x))^2", "sigma(x)*(1 - sigma(x))")
    assert verdict.equivalent and verdict.method == "symbolic"


def test_floor_identities_are_established_numerically_at_integer_points(tables):
    conv = tables["conv_shape_formula"]
    verdict = compare(conv, "ceil((L_in + 2p - d(k-1))/s)", reference_of("conv_shape_formula"))
    assert verdict.equivalent and verdict.method == "numeric"
    wrong = compare(conv, "(L_in + 2p - d(k-1) - 1)/s + 1", reference_of("conv_shape_formula"))
    assert wrong.equivalent is False and wrong.method == "numeric"
    point = wrong.counterexample.point
    assert all(value.is_Integer for value in point.values())


def test_sampled_points_respect_domains_and_constraints(tables):
    table = tables["ddpm_posterior_mean"]
    source = PointSource(table)
    alpha, alpha_bar = table.lookup("alpha_t"), table.lookup("alpha_bar_t")
    points = [source.point(i) for i in range(30)]
    assert all(0 < p[alpha_bar] < p[alpha] < 1 for p in points)
    conv = tables["conv_shape_formula"]
    for point in (PointSource(conv).point(i) for i in range(30)):
        values = {s.name: v for s, v in point.items()}
        assert values["p"] >= 0 and min(values["k"], values["s"], values["d"], values["L_in"]) >= 1
        assert values["L_in"] + 2 * values["p"] >= values["d"] * (values["k"] - 1) + 1


def test_points_are_deterministic(tables):
    table = tables["kl_gaussian_1d"]
    assert [PointSource(table).point(i) for i in range(5)] == [PointSource(table).point(i) for i in range(5)]


def test_undefined_everywhere_is_undecided_not_a_pass():
    table = build_table({"symbols": {"x": {"domain": "positive"}}})
    verdict = compare(table, "sqrt(-x)", "x")
    assert verdict.equivalent is None and verdict.reason == "undefined"


def test_values_are_none_where_complex_or_undefined():
    table = build_table({"symbols": {"x": {"domain": "real"}}})
    x = table.lookup("x")
    point = {x: Integer(-2)}
    assert value_at(parse("log(x)", table), point) is None
    assert value_at(parse("1/(x+2)", table), point) is None
    assert float(value_at(parse("x^2", table), point)) == 4.0


def test_an_exhausted_budget_is_undecided_or_still_sound(tables):
    verdict = compare(tables["implicit_diff_circle"], "-x/y", "x/y", seconds=0.0)
    assert verdict.equivalent is None and verdict.reason == "time"


# ---------------------------------------------------------------- numeric evidence on the whole domain

@pytest.mark.parametrize("seed", [None, 1, 2])
@pytest.mark.parametrize("exercise", sorted(EQUIVALENT_FORMS))
def test_correct_forms_agree_numerically_wherever_the_sampler_looks(exercise, seed):
    """No false rejects at a 1e-20 tolerance: every correct form agrees with the reference at every
    point of the whole domain, without the help of a proof (catastrophic cancellation makes sympy
    refuse a value rather than return wrong digits)."""
    spec_table = build_table(request_for(exercise, ""))
    reference = parse(reference_of(exercise), spec_table)
    comparer = Comparer(spec_table, PointSource(spec_table, seed=seed))
    for name, text in EQUIVALENT_FORMS[exercise].items():
        verdict = comparer.compare_numerically(parse(text, spec_table), reference, Deadline(20))
        assert verdict.equivalent is True and verdict.method == "numeric", (name, verdict)
        assert verdict.evidence.random_points == WANTED_POINTS, (name, verdict.evidence)


def test_points_cover_the_whole_domain_not_a_box():
    table = build_table({"symbols": {"r": {"domain": "real"}, "p": {"domain": "positive"},
                                     "u": {"domain": "unit_interval"}, "n": {"domain": "positive_integer"},
                                     "z": {"domain": "nonnegative_integer"}}})
    source = PointSource(table)
    values = {name: [source.point(i)[table.lookup(name)] for i in range(200)] for name in "rpunz"}
    assert min(values["r"]) < -1e3 and max(values["r"]) > 1e3 and min(map(abs, values["r"])) < 1e-3
    assert min(values["p"]) < 1e-3 and max(values["p"]) > 1e3 and min(values["p"]) > 0
    assert min(values["u"]) < 1e-3 and max(values["u"]) > 1 - 1e-3 and all(0 < u < 1 for u in values["u"])
    assert max(values["n"]) > 1e3 and min(values["n"]) == 1 and all(n.is_Integer for n in values["n"])
    assert 0 in values["z"] and max(values["z"]) > 1e3


def test_a_declared_sample_range_is_where_a_symbol_lives(tables):
    table = build_table(request_for("gan_js_at_optimum", ""))
    js = table.lookup("JS")
    source = PointSource(table)
    assert all(0 <= source.point(i)[js] <= 0.69 for i in range(100))


def test_a_seed_decides_the_points(tables):
    table = tables["kl_gaussian_1d"]
    first = [PointSource(table, seed=7).point(i) for i in range(5)]
    assert first == [PointSource(table, seed=7).point(i) for i in range(5)]
    assert first != [PointSource(table, seed=8).point(i) for i in range(5)]
    assert first != [PointSource(table).point(i) for i in range(5)]


def test_values_are_exact_or_certified_30_digit_floats():
    table = build_table({"symbols": {"x": {"domain": "real"}}})
    x = table.lookup("x")
    assert value_at(parse("floor(x/3) + x^2", table), {x: Rational(7, 2)}) == Rational(53, 4)
    assert value_at(parse("log(x)", table), {x: Integer(3)}).is_Float
    # 1 - σ(2000) needs ~900 digits to get right: no value rather than a wrong one
    assert value_at(parse("1 - 1/(1 + exp(-x))", table), {x: Integer(2000)}) is None
    # exactly zero but not visibly so: sympy cannot certify a single digit of it
    assert value_at(parse("log(6) - log(2) - log(3) + 0*x", table), {x: Integer(1)}) is None


def test_the_tolerance_is_exact_for_rationals_and_1e_minus_20_relative_otherwise():
    third = Rational(1, 3)
    assert close(third, third) and not close(third, third * (1 + Rational(1, 10**25)))
    pi_30 = pi.evalf(30)
    assert close(pi_30, pi.evalf(40)) and close(pi_30 * 1e-300, pi.evalf(40) * 1e-300)
    assert not close(pi_30, pi_30 * (1 + Rational(1, 10**12)))
    assert not close(pi_30, pi_30 + Rational(1, 10**15))
    assert not close(Integer(0), Float("1e-40", 30))


def test_points_are_placed_on_both_sides_of_far_steps():
    table = build_table({"symbols": {"x": {"domain": "positive"}, "n": {"domain": "positive_integer"}}})
    x, n = table.lookup("x"), table.lookup("n")
    crossings = Crossings(table, PointSource(table))
    (abs_step,) = steps_in(parse("abs(x - 10^9)", table))
    beside = sorted(point[x] for point in crossings.points(abs_step, Deadline(10)))
    assert any(10**9 - 10 < v < 10**9 for v in beside) and any(10**9 < v < 10**9 + 10 for v in beside)
    (floor_step,) = steps_in(parse("floor(n/1000)", table))
    integers = {point[n] for point in crossings.points(floor_step, Deadline(10))}
    assert {999, 1000, 1001} <= integers  # the integer at the place and its two neighbours
    (log_step,) = steps_in(parse("floor(log(x)/30)", table))  # not a rational function: solved
    beside = [float(point[x]) for point in crossings.points(log_step, Deadline(10))]
    assert any(abs(v / 1.0686474581524e13 - 1) < 1e-6 for v in beside)  # e^30


def test_a_piecewise_answer_passes_only_after_its_steps_were_crossed():
    table = build_table({"symbols": {"x": {"domain": "real"}}})
    verdict = compare(table, "floor(x) + floor(x + 1/2)", "floor(2x)")
    assert verdict.equivalent and verdict.method == "numeric"
    assert verdict.evidence.breakpoint_points > 0 and verdict.evidence.functions == ("floor",)
    wrong = compare(table, "floor(x) + 1", "ceil(x)")  # differs exactly at the integers only
    assert wrong.equivalent is False and wrong.counterexample.point[table.lookup("x")].is_Integer


def test_steps_of_functions_the_parser_does_not_build_are_crossed_too():
    """sympy can produce Max, Heaviside, sign and Piecewise (a declared function's formula, a
    rewrite): their places count as steps like those of floor and abs."""
    table = build_table({"symbols": {"x": {"domain": "real"}}})
    x = table.lookup("x")
    far = 10**9
    comparer = Comparer(table, PointSource(table))
    relu = comparer.compare(Max(x, 0), (x + Abs(x)) / 2, Deadline(8))
    assert relu.equivalent is True and set(relu.evidence.functions) == {"abs", "max"}
    for hidden in (Heaviside(x - far), sign(x - far) + 1, Piecewise((0, x < far), (1, True))):
        verdict = comparer.compare(x + hidden, x, Deadline(8))
        assert verdict.equivalent is False and verdict.counterexample.point[x] > far, hidden
