"""The equivalence cascade, in process: symbolic proofs, numeric evidence, sampling, and the specs' mistakes."""

from __future__ import annotations

import itertools

import pytest
from sympy import Integer

from dlcheck.symbolic.equivalence import Comparer
from dlcheck.symbolic.parser import parse
from dlcheck.symbolic.sampling import PointSource, value_at
from dlcheck.symbolic.table import build_table
from dlcheck.symbolic.timebox import Deadline

from symbolic_helpers import SYMBOLIC_EXERCISES, reference_of, spec_of


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
