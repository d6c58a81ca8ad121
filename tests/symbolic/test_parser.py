"""The answer parser, in process: both input styles, unicode, implicit products, errors with positions."""

from __future__ import annotations

import ast

import pytest
from sympy import E, Function, Integer, Rational, exp, floor, log, simplify, sqrt, symbols

from dlcheck.symbolic.errors import AnswerError
from dlcheck.symbolic.parser import parse
from dlcheck.symbolic.table import build_table

from symbolic_helpers import REPO, reference_of

# The reference of every exercise, typed in LaTeX and with unicode math.
STYLES = {
    "conv_shape_formula": [
        r"\left\lfloor \frac{L_{in} + 2p - d(k-1) - 1}{s} \right\rfloor + 1",
        r"\lfloor \frac{L_{\text{in}} + 2p - d\cdot(k-1) - 1}{s} \rfloor + 1",
        "⌊(L_in + 2p − d(k − 1) − 1)/s⌋ + 1",
    ],
    "kl_gaussian_1d": [
        r"\log\left(\frac{\sigma_2}{\sigma_1}\right) + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12",
        "log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − 1/2",
    ],
    "gan_optimal_discriminator": [r"\frac{p_{d}}{p_{d} + p_{m}}", r"D^*(x) = \dfrac{p_d}{p_d+p_m}"],
    "ddpm_posterior_mean": [
        r"\frac{x_t - \frac{1-\alpha_t}{\sqrt{1-\bar{\alpha}_t}}\epsilon}{\sqrt{\alpha_t}}",
        r"$\frac{x_{t} - \frac{1-\alpha_{t}}{\sqrt{1-\overline{\alpha}_t}}\varepsilon}{\sqrt{\alpha_t}}$",
        "(x_t − (1 − α_t)/√(1 − ᾱ_t)·ε)/√α_t",
    ],
    "sigmoid_derivative": [r"\sigma(x)\left(1 - \sigma(x)\right)", "σ(x)(1 − σ(x))"],
    "implicit_diff_circle": [r"-\frac{x}{y}", r"\frac{dy}{dx} = -\frac{x}{y}", "−x/y"],
}


def read(text: str, table):
    return parse(text, table)


def error_of(text: str, table) -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        parse(text, table)
    return caught.value


@pytest.mark.parametrize("exercise", sorted(STYLES))
def test_every_reference_reads_the_same_in_latex_and_unicode(exercise, tables):
    table = tables[exercise]
    expected = read(reference_of(exercise), table)
    for text in STYLES[exercise]:
        assert read(text, table) == expected, text


def test_conv_reference_in_both_styles_builds_the_expected_tree(tables):
    table = tables["conv_shape_formula"]
    L_in, k, s, p, d = (table.lookup(n) for n in ("L_in", "k", "s", "p", "d"))
    expected = floor((L_in + 2 * p - d * (k - 1) - 1) / s) + 1
    assert read("floor((L_in+2p-d*(k-1)-1)/s)+1", table) == expected
    assert read(r"\left\lfloor \frac{L_{in} + 2p - d(k-1) - 1}{s} \right\rfloor + 1", table) == expected


@pytest.mark.parametrize("text, expected", [
    ("2p", "2*p"), ("d(k-1)", "d*(k - 1)"), ("2 k", "2*k"), ("(k)(s)", "k*s"), ("dk", "d*k"),
    ("2dk", "2*d*k"), ("ksd", "d*k*s"), ("1/2k", "k/2"), ("k^2s", "k**2*s"), ("-k^2", "-k**2"),
    ("2^-1", "1/2"), ("k**2", "k**2"), ("|k - s|", "Abs(k - s)"), ("2|k||s|", "2*k*s"),
])
def test_implicit_multiplication_and_precedence(text, expected, tables):
    assert str(read(text, tables["conv_shape_formula"])) == expected


def test_greedy_split_prefers_declared_multi_letter_names(tables):
    gan = tables["gan_optimal_discriminator"]
    assert read("p_dp_m", gan) == gan.lookup("p_d") * gan.lookup("p_m")
    kl = tables["kl_gaussian_1d"]
    assert read("2sigma_2^2", kl) == 2 * kl.lookup("sigma_2") ** 2
    conv = tables["conv_shape_formula"]
    assert read("L_ink", conv) == conv.lookup("L_in") * conv.lookup("k")


def test_fractions_and_decimals_are_exact(tables):
    table = tables["implicit_diff_circle"]
    x = table.lookup("x")
    half = read("0.5", table)
    assert half == Rational(1, 2) and half.is_Rational
    assert read(r"\frac12", table) == Rational(1, 2)
    assert read(r"\frac{1}{2}", table) == Rational(1, 2)
    assert read(r"\tfrac 1 2 + \dfrac{x}{2}", table) == Rational(1, 2) + x / 2
    assert read(r"\frac xy", table) == x / table.lookup("y")
    assert read("0.25x", table) == x / 4
    assert read(".125", table) == Rational(1, 8)


def test_logs_are_natural_and_e_is_euler(tables):
    table = tables["implicit_diff_circle"]
    x = table.lookup("x")
    for text in ("log(x)", "ln(x)", r"\ln x", r"\log(x)", r"\ln\left(x\right)"):
        assert read(text, table) == log(x), text
    for text in ("e^{-x}", "e^(-x)", r"\exp(-x)", r"\mathrm{e}^{-x}", "exp(-x)", "e**-x"):
        assert read(text, table) == exp(-x), text
    assert read("e", table) == E
    assert read("log_2(x)", table) == log(x) / log(2)


def test_a_declared_e_is_a_symbol_not_euler():
    table = build_table({"symbols": {"e": {"domain": "positive"}}})
    assert read("e^2", table) == symbols("e", positive=True) ** 2


def test_roots(tables):
    table = tables["implicit_diff_circle"]
    x = table.lookup("x")
    assert read(r"\sqrt{x}", table) == sqrt(x)
    assert read(r"\sqrt x", table) == sqrt(x)
    assert read(r"\sqrt2", table) == sqrt(2)
    assert read(r"\sqrt[3]{x}", table) == x ** Rational(1, 3)
    assert read("√(x)·√2", table) == sqrt(2) * sqrt(x)


def test_unicode_lookalikes_are_normalised(tables):
    ddpm = tables["ddpm_posterior_mean"]
    alpha_bar = ddpm.lookup("alpha_bar_t")
    for text in ("ᾱ_t", "ᾱₜ", r"\bar{\alpha}_t", r"\bar\alpha_t", r"\overline{\alpha}_t",
                 r"\bar{\alpha_t}", "alpha_bar_t", "α̅_t"):
        assert read(text, ddpm) == alpha_bar, text
    eps = ddpm.lookup("epsilon")
    for text in ("ε", "ϵ", r"\epsilon", r"\varepsilon", r"\epsilon_\theta", "ε_θ", "epsilon"):
        assert read(text, ddpm) == eps, text
    conv = tables["conv_shape_formula"]
    k, s = conv.lookup("k"), conv.lookup("s")
    assert read("ｋ＋ｓ", conv) == k + s            # fullwidth
    assert read("k − s", conv) == k - s            # U+2212 minus
    assert read("k·s × k", conv) == k ** 2 * s     # middle dot, times
    assert read("k²", conv) == k ** 2              # superscript
    assert read("k⁻¹", conv) == 1 / k


def test_unicode_greek_and_declared_functions(tables):
    table = tables["sigmoid_derivative"]
    x = table.lookup("x")
    sigma = table.function("sigma")
    assert read("σ(x)(1 − σ(x))", table) == sigma(x) * (1 - sigma(x))
    assert read(r"\sigma\left(x\right)", table) == sigma(x)


def test_prime_notation_is_the_derivative_of_the_declared_function(tables):
    table = tables["sigmoid_derivative"]
    x = table.lookup("x")
    derivative = read("sigma'(x)", table)
    assert table.uses_derivative(derivative)
    logistic = 1 / (1 + exp(-x))
    assert simplify(table.expand_definitions(derivative) - logistic.diff(x)) == 0


def test_derived_quantities_are_symbols_that_expand(tables):
    table = tables["ddpm_posterior_mean"]
    beta = read(r"\beta_t", table)
    assert read("beta_t", table) == beta == read("β_t", table)
    assert table.expand_definitions(beta) == 1 - table.lookup("alpha_t")


def test_function_powers_and_symbols_written_with_arguments(tables):
    table = tables["sigmoid_derivative"]
    sigma, x = table.function("sigma"), table.lookup("x")
    assert read("σ(x) − σ²(x)", table) == sigma(x) - sigma(x) ** 2
    assert read(r"\log^2 x", table) == log(x) ** 2
    assert "positive whole powers" in error_of("sigma^-1(x)", table).message
    ddpm = tables["ddpm_posterior_mean"]
    error = error_of(r"\epsilon_\theta(x_t, t)", ddpm)
    assert "'epsilon_theta' is a symbol, not a function" in error.message and error.position == 15


def test_one_top_level_equals_judges_the_right_side(tables):
    table = tables["gan_optimal_discriminator"]
    p_d, p_m = table.lookup("p_d"), table.lookup("p_m")
    assert read(r"D^*(x) = \frac{p_d}{p_d + p_m}", table) == p_d / (p_d + p_m)
    error = error_of("D = p_d = p_m", table)
    assert "at most one '='" in error.message


def test_unknown_symbol_suggests_the_declared_name(tables):
    error = error_of("floor((Lin + 2p)/s)", tables["conv_shape_formula"])
    assert "Unknown symbol 'Lin'" in error.message
    assert "Did you mean L_in?" in error.message
    assert "L_in (write L_in or L_{in}" in error.message
    assert error.position == 7
    kl = error_of("log(sigma2/sigma_1)", tables["kl_gaussian_1d"])
    assert "Did you mean sigma_2?" in kl.message


def test_density_written_as_a_call_gets_a_hint(tables):
    error = error_of("p_d(x)/(p_d(x) + p_m(x))", tables["gan_optimal_discriminator"])
    assert "Write p_d alone, without '(x)'" in error.message


@pytest.mark.parametrize("text, position, words", [
    ("floor((L_in + 1)/s", 5, "never closed"),
    ("k +* s", 3, "Unexpected '*'"),
    ("(k))", 3, "brackets match"),
    (r"\frac{k}{", 9, "ends too early"),
    ("k s 2 3", 6, "two numbers in a row"),
    ("k.s", 1, "'.'"),
    ("k!", 1, "Factorials"),
    (r"\foo{k}", 0, "Unknown LaTeX command"),
    ("k < s", 2, "not an inequality"),
    ("k <= s", 2, "not an inequality"),
    ("k_", 2, "subscript"),
    ("k^", 2, "ends too early"),
    ("()", 1, "empty brackets"),
    ("log(k, 2)", 5, "one argument"),
])
def test_syntax_errors_report_their_position(text, position, words, tables):
    error = error_of(text, tables["conv_shape_formula"])
    assert error.position == position, error.message
    assert words in error.message


def test_position_counts_characters_as_typed(tables):
    error = error_of("σ(x) + # ", tables["sigmoid_derivative"])  # σ expands internally; '#' is char 8
    assert error.position == 7 and "character 8" in error.message


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("   \n ", "empty"),
    ("k" * 6000, "too long"),
    ("(" * 300 + "k" + ")" * 300, "nested too deeply"),
    ("9**9**9**9", "exponent"),
    ("2^10000", "exponent"),
    ("(k^1000)^1000", "Exponents larger"),
    ("10^999^2", "exponent"),
    ("1" * 40, "too long"),
    ("sqrt(10^40 + 1)", "only be raised to a whole number"),
    ("(10^40)^k", "only be raised to a whole number"),
    ("1/0", "undefined"),
    ("factorial(10**7)", "Unknown function 'factorial'"),
    ("__import__('os').system('x')", "'_'"),
    ("k.s", "attribute access"),
    ("х + k", "Cyrillic"),
    (r"\int k", "not supported"),
])
def test_hostile_or_malformed_input_is_a_clear_error(text, words, tables):
    assert words in error_of(text, tables["conv_shape_formula"]).message


def test_no_sympy_string_parsing_anywhere_in_the_checker():
    """Student text must never reach eval/exec/sympify/parse_expr/parse_latex/lambdify."""
    string_readers = {"sympify", "parse_expr", "parse_latex", "lambdify"}
    builtins = {"eval", "exec", "compile", "__import__", "S"}  # S("x") would sympify too
    for path in sorted((REPO / "dlcheck" / "symbolic").glob("*.py")):
        used = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                used.add(node.func.id)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                used.add(node.func.attr if node.func.attr in string_readers else "")
            elif isinstance(node, ast.ImportFrom):
                used.update(alias.name for alias in node.names if alias.name in string_readers)
        bad = used & (string_readers | builtins)
        assert not bad, f"{path.name} uses {sorted(bad)}"


def test_numbers_are_built_exactly_not_as_floats(tables):
    value = read("0.1 + 0.2", tables["conv_shape_formula"])
    assert value == Rational(3, 10)
    assert read("3", tables["conv_shape_formula"]) == Integer(3)


def test_declared_function_name_is_shown_in_unknown_function_message():
    table = build_table({"symbols": {"x": {}}, "functions": {"sigma": "logistic"}})
    message = error_of("sigmoid(x)", table).message
    assert "Unknown function 'sigmoid'" in message and "sigma" in message
    assert read("sigma(x)", table) == Function("sigma")(symbols("x", real=True))
