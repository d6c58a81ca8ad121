"""Notation students use beyond the basics, in process: hyperbolic (and inverse trigonometric)
functions, finite sums and products, and function arguments written without brackets."""

from __future__ import annotations

import pytest
from sympy import (Integer, Product, Rational, Sum, acosh, acot, asinh, atan, atanh, cosh, cot, coth,
                   csch, factorial, log, sech, simplify, sinh, tanh)

from dlcheck.symbolic import lexer, parser
from dlcheck.symbolic.equivalence import Comparer
from dlcheck.symbolic.errors import AnswerError
from dlcheck.symbolic.parser import parse
from dlcheck.symbolic.sampling import PointSource, value_at
from dlcheck.symbolic.table import build_table
from dlcheck.symbolic.timebox import Deadline

from symbolic_helpers import reference_of, request_for


def error_of(text: str, table) -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        parse(text, table)
    return caught.value


def compare(table, answer: str, expected: str, seconds: float = 8.0):
    comparer = Comparer(table, PointSource(table))
    return comparer.compare(parse(answer, table), parse(expected, table), Deadline(seconds))


@pytest.fixture(scope="module")
def counting():
    """n, m: counts (nonnegative integers); x: a real; alpha_t: a declared non-sequence symbol."""
    return build_table({"symbols": {"n": {"domain": "nonnegative_integer"},
                                    "m": {"domain": "positive_integer"}, "x": {"domain": "real"},
                                    "alpha_t": {"latex": [r"\alpha_t"], "domain": "unit_interval"}}})


@pytest.fixture(scope="module")
def exercise_tables():
    ids = ("sigmoid_derivative", "bce_logit_gradient", "wavenet_receptive_field", "receptive_field",
           "rnn_gradient_bound", "ddpm_posterior_mean", "gaussian_entropy")
    return {ex: build_table(request_for(ex, "")) for ex in ids}


# ---------------------------------------------------------------- hyperbolic functions

@pytest.mark.parametrize("text, build", [
    ("tanh(x)", tanh), (r"\tanh x", tanh), (r"\tanh(x)", tanh), (r"\tanh\left(x\right)", tanh),
    ("sinh(x)", sinh), (r"\sinh x", sinh), ("cosh(x)", cosh), (r"\cosh{x}", cosh),
    ("coth(x)", coth), (r"\coth x", coth), ("sech(x)", sech), (r"\operatorname{sech}(x)", sech),
    (r"\mathrm{sech}\,x", sech), (r"\sech x", sech), ("csch(x)", csch), (r"\operatorname{csch} x", csch),
    ("arctanh(x)", atanh), ("artanh(x)", atanh), ("atanh(x)", atanh), (r"\operatorname{artanh}(x)", atanh),
    ("arsinh(x)", asinh), ("asinh(x)", asinh), ("arccosh(x)", acosh), ("arcosh(x)", acosh),
    (r"\arctan x", atan), ("arctan(x)", atan), ("atan(x)", atan), (r"\cot x", cot), ("arccot(x)", acot),
])
def test_hyperbolic_and_inverse_functions_are_read_as_sympy_functions(text, build, counting):
    assert parse(text, counting) == build(counting.lookup("x")), text


def test_hyperbolic_powers_and_products(counting):
    x = counting.lookup("x")
    assert parse(r"\cosh^2 x - \sinh^2 x", counting) == cosh(x) ** 2 - sinh(x) ** 2
    assert parse(r"\frac{1}{4}\operatorname{sech}^2(x/2)", counting) == sech(x / 2) ** 2 / 4
    assert parse("tanh(x)^2", counting) == tanh(x) ** 2
    assert parse(r"\sinh x \cosh x", counting) == sinh(x) * cosh(x)


def test_a_function_name_run_into_its_argument_gets_a_hint(counting):
    assert "Did you mean tanh(x)?" in error_of("tanhx", counting).message
    assert "Did you mean sin(x)?" in error_of("2 sinx", counting).message


def test_a_power_minus_one_on_a_function_name_is_refused_as_ambiguous(counting):
    message = error_of(r"\tanh^{-1} x", counting).message
    assert "inverse" in message and "artanh(x)" in message and "1/tanh(x)" in message


def test_every_latex_function_command_is_a_known_function():
    assert lexer.FUNCTION_COMMANDS <= set(parser.BUILTIN_FUNCTIONS)


@pytest.mark.parametrize("answer", [
    r"\frac{1 + \tanh(x/2)}{2}\cdot\frac{1 - \tanh(x/2)}{2}",
    r"\frac{1}{4}\operatorname{sech}^2\left(\frac{x}{2}\right)",
    r"\frac{1}{4\cosh^2(x/2)}",
    "(1 - tanh(x/2)^2)/4",
    "1/(2 + 2cosh(x))",
])
def test_tanh_forms_of_the_sigmoid_derivative_are_proved_equal(answer, exercise_tables):
    verdict = compare(exercise_tables["sigmoid_derivative"], answer, reference_of("sigmoid_derivative"))
    assert verdict.equivalent and verdict.method == "symbolic", verdict


@pytest.mark.parametrize("answer", [r"\frac{1}{2}\operatorname{sech}^2(x/2)", r"\frac{1 - \tanh^2 x}{4}",
                                    "(1 + tanh(x/2))/2"])
def test_wrong_tanh_forms_of_the_sigmoid_derivative_fail(answer, exercise_tables):
    verdict = compare(exercise_tables["sigmoid_derivative"], answer, reference_of("sigmoid_derivative"))
    assert verdict.equivalent is False and verdict.counterexample is not None, verdict


def test_tanh_form_of_the_bce_gradient(exercise_tables):
    table = exercise_tables["bce_logit_gradient"]
    right = compare(table, r"\frac{1 + \tanh(z/2)}{2} - y", reference_of("bce_logit_gradient"))
    assert right.equivalent and right.method == "symbolic"
    wrong = compare(table, r"\frac{1 - \tanh(z/2)}{2} - y", reference_of("bce_logit_gradient"))
    assert wrong.equivalent is False


def test_hyperbolic_values_are_certified_where_defined_and_skipped_where_not(counting):
    x = counting.lookup("x")
    assert abs(value_at(tanh(x), {x: Rational(1, 2)}) - Rational(462117157260010, 10**15)) < 1e-14
    assert value_at(atanh(x), {x: Integer(2)}) is None          # complex beyond |x| < 1
    assert value_at(acosh(x), {x: Rational(1, 2)}) is None      # complex below 1
    assert value_at(cosh(cosh(cosh(x))), {x: Integer(10)}) is None  # too large to build, never hangs


def test_inverse_hyperbolic_identity_is_accepted_on_its_domain(counting):
    verdict = compare(counting, "artanh(x/(1 + abs(x)))", r"\frac{1}{2}\ln\frac{1 + x/(1+|x|)}{1 - x/(1+|x|)}")
    assert verdict.equivalent, verdict


# ---------------------------------------------------------------- sums and products

@pytest.mark.parametrize("text", [
    r"\sum_{i=1}^{n} i", r"\sum_{i=1}^n i", r"\sum\limits_{i=1}^{n} i", r"\sum^{n}_{i=1} i",
    r"\displaystyle\sum_{i = 1}^{n}{i}", "sum_{i=1}^{n} i", "sum_{i=1}^n (i)", "∑_{i=1}^{n} i",
    r"\Sigma_{i=1}^{n} i", r"S = \sum_{i=1}^{n} i", r"\sum_{j=0}^{n-1} (j + 1)",
])
def test_a_finite_sum_is_read_in_every_style(text, counting):
    expr = parse(text, counting)
    n = counting.lookup("n")
    assert expr.has(Sum) and expr.free_symbols == {n}, text
    assert simplify(expr.doit() - n * (n + 1) / 2) == 0, text


def test_products_and_their_closed_forms(counting):
    n, m, alpha = counting.lookup("n"), counting.lookup("m"), counting.lookup("alpha_t")
    assert parse(r"\prod_{s=1}^{m} s", counting).doit() == factorial(m)
    assert parse(r"\prod_{s=1}^{n} \alpha_t", counting).doit() == alpha ** n
    assert parse("prod_{s=1}^{n} 2", counting).doit() == 2 ** n
    assert isinstance(parse(r"\prod_{s=1}^{n} (1 + x)", counting), Product)


def test_the_sum_body_is_a_product_and_ends_at_plus_or_minus(counting):
    n, x = counting.lookup("n"), counting.lookup("x")
    expr = parse(r"\sum_{i=1}^{n} 2 i x + 1", counting)
    assert expr.is_Add and Integer(1) in expr.args
    assert simplify(expr.doit() - (n * (n + 1) * x + 1)) == 0
    assert simplify(parse(r"x\sum_{i=1}^{n} 1 - n", counting).doit() - (n * x - n)) == 0


def test_the_index_is_scoped_to_its_sum(counting):
    n = counting.lookup("n")
    # n inside the body is the index, n outside and in the bound is the declared n
    expr = parse(r"\sum_{n=1}^{n} n + n", counting)
    assert simplify(expr.doit() - (n * (n + 1) / 2 + n)) == 0
    nested = parse(r"\sum_{i=1}^{n}\sum_{j=1}^{i} 1", counting)
    assert simplify(nested.doit() - n * (n + 1) / 2) == 0
    assert parse(r"\sum_{i=1}^{n} 2ix", counting).free_symbols == {n, counting.lookup("x")}


@pytest.mark.parametrize("text, words", [
    (r"\prod_{s=1}^{n} \alpha_s", "not a sequence"),
    (r"\sum_{t=1}^{n} \log(1 - \alpha_t)", "'alpha_t' is indexed by the summation index t"),
    (r"\sum_{i=1}^{n} x_{i-1}", "indexed by the summation index i"),
    (r"\sum_{i=1}^{\infty} x^i", "infinite"),
    (r"\sum_{i=1}^{∞} x^i", "infinite"),
    (r"\sum_i x", "bounds"),
    (r"\sum_{i} x", "bounds"),
    (r"\sum_{i=1} x", "upper bound"),
    (r"\sum_{i=1}^{x} i", "whole number"),
    (r"\sum_{i=1/2}^{n} i", "whole number"),
    (r"\sum_{2=1}^{n} i", "index"),
    (r"\sum_{i=1}^{10^{12}} i", "at most 1000 terms"),
    (r"\sum_{i=1}^{n} \lfloor n/i \rfloor", "floor"),
    (r"\sum_{i=1}^{n} |x - i|", "|"),
    ("sum(i, (i, 1, n))", "sum_{i=1}^{n}"),
    ("Sum(i, (i, 1, n))", "sum_{i=1}^{n}"),
    ("prod(x, 3)", "prod_{i=1}^{n}"),
    (r"\sum", "bounds"),
])
def test_sums_that_cannot_be_read_honestly_are_refused_by_name(text, words, counting):
    message = error_of(text, counting).message
    assert words in message, message
    assert "bracket" not in message and "at most one" not in message, message


def test_a_sum_needs_no_equals_sign_budget(counting):
    assert "at most one '='" in error_of(r"a = \sum_{i=1}^{n} i = b", counting).message
    assert parse(r"a = \sum_{i=1}^{n} i", counting).has(Sum)


@pytest.mark.parametrize("exercise, answer", [
    ("wavenet_receptive_field", r"1 + \sum_{l=1}^{L} 2^{l-1}"),
    ("wavenet_receptive_field", r"R = 1 + \sum_{i=0}^{L-1} 2^i"),
    ("wavenet_receptive_field", "2 + sum_{l=2}^{L} 2^(l-1)"),
    ("receptive_field", r"1 + \sum_{\ell=1}^{L} d(k-1)"),
    ("rnn_gradient_bound", r"\prod_{i=k+1}^{t} \gamma\lambda_1"),
    ("rnn_gradient_bound", r"\left(\prod_{i=k+1}^{t} \gamma\right) \prod_{j=1}^{t-k}\lambda_1"),
])
def test_sum_and_product_forms_of_catalog_answers_pass(exercise, answer, exercise_tables):
    verdict = compare(exercise_tables[exercise], answer, reference_of(exercise))
    assert verdict.equivalent, verdict


@pytest.mark.parametrize("exercise, answer", [
    ("wavenet_receptive_field", r"\sum_{l=1}^{L} 2^{l-1}"),
    ("wavenet_receptive_field", r"1 + \sum_{l=0}^{L} 2^{l}"),
    ("rnn_gradient_bound", r"\prod_{i=k}^{t} \gamma\lambda_1"),
    ("rnn_gradient_bound", r"\sum_{i=k+1}^{t} \gamma\lambda_1"),
])
def test_wrong_sum_and_product_forms_fail(exercise, answer, exercise_tables):
    verdict = compare(exercise_tables[exercise], answer, reference_of(exercise))
    assert verdict.equivalent is False, verdict


def test_a_sum_without_closed_form_is_compared_numerically(counting):
    same = compare(counting, r"\sum_{i=1}^{n} \log(i + x^2)",
                   r"\log(1 + x^2) + \sum_{i=2}^{n} \log(i + x^2)")
    assert same.equivalent, same
    differ = compare(counting, r"\sum_{i=1}^{n} \log(i + x^2)", r"\sum_{i=1}^{n} \log(i + 1 + x^2)")
    assert differ.equivalent is False and differ.counterexample is not None


def test_nested_sums_without_closed_form_are_added_up_at_points(counting):
    swapped = compare(counting, r"\sum_{i=1}^{n}\sum_{j=1}^{i} \log(i + 2j + x^2)",
                      r"\sum_{j=1}^{n}\sum_{i=j}^{n} \log(i + 2j + x^2)")
    assert swapped.equivalent and swapped.method == "numeric", swapped
    short = compare(counting, r"\sum_{i=1}^{n}\sum_{j=1}^{i} \log(i + 2j + x^2)",
                    r"\sum_{i=1}^{n}\sum_{j=1}^{i-1} \log(i + 2j + x^2)")
    assert short.equivalent is False, short


def test_an_empty_range_is_zero_and_one(counting):
    n = counting.lookup("n")
    assert value_at(parse(r"\sum_{i=1}^{n} (i + x)", counting), {n: Integer(0)}) == 0
    assert value_at(parse(r"\prod_{i=1}^{n} (i + 2)", counting), {n: Integer(0)}) == 1
    assert value_at(parse(r"\prod_{i=1}^{n} (i + 2)", counting), {n: Integer(3)}) == 60


def test_a_sum_at_a_point_with_too_many_terms_is_skipped_not_expanded(counting):
    n, x = counting.lookup("n"), counting.lookup("x")
    unclosed = parse(r"\sum_{i=1}^{n} \log(i + x^2)", counting)
    assert value_at(unclosed, {n: Integer(10**6), x: Integer(1)}) is None
    assert value_at(parse(r"\prod_{i=1}^{n} i", counting).doit(), {n: Integer(10**6)}) is None


# ---------------------------------------------------------------- arguments without brackets

def test_an_argument_without_brackets_cut_to_its_first_factor_is_refused(exercise_tables):
    message = error_of(r"\frac{1}{2}\ln 2\pi e\sigma^2", exercise_tables["gaussian_entropy"]).message
    assert r"\ln 2\pi e\sigma^2" in message                   # what was typed
    assert r"\ln(2)·\pi e\sigma^2" in message                 # how it would be read
    assert r"\ln(2\pi e\sigma^2)" in message                  # the fix
    assert "brackets" in message


@pytest.mark.parametrize("text, fix", [
    (r"\sin 2x", r"\sin(2x)"), ("log 2 pi e sigma^2", "log(2 pi e sigma^2)"), (r"\ln x y", r"\ln(x y)"),
    (r"\log\sigma^2 x", r"\log(\sigma^2 x)"), (r"\tanh\frac{x}{2} y", r"\tanh(\frac{x}{2} y)"),
    (r"\ln x \sqrt{y}", r"\ln(x \sqrt{y})"), (r"\ln^2 x y", r"\ln^2(x y)"),
])
def test_ambiguous_bracketless_arguments_name_the_fix(text, fix, counting):
    table = build_table({"symbols": {"x": {}, "y": {"domain": "positive"},
                                     "sigma": {"latex": [r"\sigma"], "domain": "positive"}}})
    message = error_of(text, table).message
    assert fix in message and "brackets" in message, message


@pytest.mark.parametrize("text, expected", [
    (r"\ln x", "log(x)"), (r"\log \sigma^2", "log(sigma**2)"), (r"\ln x + 1", "log(x) + 1"),
    (r"\ln x - \ln y", "log(x) - log(y)"), (r"\sin x \cos x", "sin(x)*cos(x)"),
    (r"\ln\frac{x}{y}", "log(x/y)"), (r"\ln x / 2", "log(x)/2"), (r"\log^2 x", "log(x)**2"),
    (r"2\ln x", "2*log(x)"), (r"\ln(2)\pi", "pi*log(2)"), (r"\ln|x|", "log(x)"),
    (r"\ln x \cdot y", "y*log(x)"), (r"\ln 2 \cdot \pi", "pi*log(2)"), (r"\ln x \ln y", "log(x)*log(y)"),
    (r"\ln \sigma^2 + \frac12", "log(sigma**2) + 1/2"),
])
def test_unambiguous_bracketless_arguments_keep_working(text, expected):
    table = build_table({"symbols": {"x": {"domain": "positive"}, "y": {"domain": "positive"},
                                     "sigma": {"latex": [r"\sigma"], "domain": "positive"}}})
    assert str(parse(text, table)) == expected


def test_gaussian_entropy_with_brackets_passes(exercise_tables):
    table = exercise_tables["gaussian_entropy"]
    for answer in (r"\frac{1}{2}\ln(2\pi e\sigma^2)", r"\ln\sigma + \frac{1}{2}\ln(2\pi e)",
                   r"\frac12 \ln\left(2\pi e \sigma^2\right)"):
        verdict = compare(table, answer, reference_of("gaussian_entropy"))
        assert verdict.equivalent, (answer, verdict)


def test_a_sum_over_declared_numbered_symbols_asks_for_the_terms(exercise_tables):
    table = build_table(request_for("kl_gaussian_1d", ""))
    message = error_of(r"\sum_{i=1}^{2} \sigma_i^2", table).message
    assert "'sigma_i' is indexed by the summation index i" in message
    assert "sigma_1, sigma_2" in message and "not supported" in message


# ---------------------------------------------------------------- hyperbolic functions and steps

def test_a_hyperbolic_step_beyond_every_random_point_is_found(counting):
    verdict = compare(counting, r"x + \lfloor \tanh(x - 10^7) \rfloor + 1", "x")
    assert verdict.equivalent is False and verdict.counterexample.near_breakpoint, verdict


def test_hyperbolic_identity_across_a_step_is_accepted_with_breakpoint_evidence(counting):
    verdict = compare(counting, r"|\tanh x|", r"\tanh|x|")
    assert verdict.equivalent, verdict
    if verdict.method == "numeric":
        assert verdict.evidence.breakpoint_points > 0


def test_an_inverse_hyperbolic_function_is_compared_where_it_is_defined(counting):
    verdict = compare(counting, "artanh(x)", r"\frac{1}{2}\ln\frac{1 + x}{1 - x}")
    assert verdict.equivalent, verdict
    wrong = compare(counting, "artanh(x)", r"\ln\frac{1 + x}{1 - x}")
    assert wrong.equivalent is False
