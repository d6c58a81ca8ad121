"""The symbol table of one exercise: what names an answer may use, and what they mean.

Built from the request's `symbols` (with LaTeX aliases, domains and sampling ranges),
`functions` (a declared name -> a known implementation), `derived` quantities and
`constraints`. Aliases are read with the answer lexer, so they are matched in the same
canonical form as what students type.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from sympy import E, Dummy, Expr, Function, Lambda, Rational, Symbol, exp, log, pi

from .errors import AnswerError
from .lexer import END, NAME, tokenize

DOMAIN_ASSUMPTIONS: dict[str, dict[str, bool]] = {
    "real": {"real": True},
    "positive": {"positive": True},
    "nonnegative": {"nonnegative": True},
    "negative": {"negative": True},
    "integer": {"integer": True},
    "positive_integer": {"integer": True, "positive": True},
    "nonnegative_integer": {"integer": True, "nonnegative": True},
    "unit_interval": {"positive": True},  # < 1 has no sympy assumption: sampling keeps it there
}
# Where the first few sampled points lie (readable counterexamples); the sampler covers the whole
# domain after them (see sampling.py).
MODERATE_BOXES: dict[str, tuple[float, float]] = {
    "real": (-3, 3), "positive": (0.1, 4), "nonnegative": (0, 4), "negative": (-4, -0.1),
    "integer": (-12, 12), "positive_integer": (1, 12), "nonnegative_integer": (0, 12),
    "unit_interval": (0.05, 0.95),
}
# Which values each domain admits (unit_interval: 0 < x < 1; integrality is checked apart).
_DOMAIN_TESTS: dict[str, Callable[[Expr], bool]] = {
    "real": lambda v: True, "integer": lambda v: True,
    "positive": lambda v: v > 0, "positive_integer": lambda v: v > 0,
    "nonnegative": lambda v: v >= 0, "nonnegative_integer": lambda v: v >= 0,
    "negative": lambda v: v < 0, "unit_interval": lambda v: 0 < v < 1,
}
INTEGER_DOMAINS = frozenset({"integer", "positive_integer", "nonnegative_integer"})

# Known implementations of declared functions, as formulas in the function's argument.
IMPLEMENTATIONS: dict[str, Callable[[Expr], Expr]] = {
    "logistic": lambda t: 1 / (1 + exp(-t)),
    "softplus": lambda t: log(1 + exp(t)),
    "tanh": lambda t: (exp(t) - exp(-t)) / (exp(t) + exp(-t)),
}
CONSTANTS: dict[str, Expr] = {"e": E, "pi": pi}
RELATIONS = ("<", "<=", ">", ">=", "!=")


class SpecProblem(Exception):
    """The exercise's declarations are unusable: a grader problem, never the student's."""


@dataclass(frozen=True)
class DeclaredSymbol:
    name: str
    symbol: Symbol
    domain: str
    sample: tuple[float, float] | None  # declared range of values, if any (else the whole domain)
    aliases: tuple[str, ...]

    @property
    def is_integer(self) -> bool:
        return self.domain in INTEGER_DOMAINS

    @property
    def moderate(self) -> tuple[float, float]:
        return self.sample or MODERATE_BOXES[self.domain]

    def admits(self, value: Expr) -> bool:
        """value is one this symbol takes: in its domain and its declared sample range."""
        if self.is_integer and not value.is_Integer:
            return False
        if self.sample is not None and not self.sample[0] <= value <= self.sample[1]:
            return False
        return bool(_DOMAIN_TESTS[self.domain](value))


@dataclass(frozen=True)
class DeclaredFunction:
    name: str
    applied: Any       # undefined sympy function shown in read_as, e.g. sigma(x)
    derivative: Any    # its derivative, written sigma'(x)
    definition: Lambda
    derivative_definition: Lambda


@dataclass(frozen=True)
class Constraint:
    text: str
    left: Expr
    relation: str
    right: Expr


@dataclass
class SymbolTable:
    symbols: dict[str, DeclaredSymbol] = field(default_factory=dict)
    functions: dict[str, DeclaredFunction] = field(default_factory=dict)
    derived: dict[Symbol, Expr] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    _names: dict[str, Expr] = field(default_factory=dict)  # canonical name or alias -> value

    # ---------------------------------------------------------- used by the parser
    def lookup(self, name: str) -> Expr | None:
        if name in self._names:
            return self._names[name]
        return CONSTANTS.get(name)

    def function(self, name: str):
        declared = self.functions.get(name)
        return declared.applied if declared else None

    def derivative(self, name: str):
        declared = self.functions.get(name)
        return declared.derivative if declared else None

    def function_names(self) -> list[str]:
        return list(self.functions)

    def split(self, name: str, extra: dict[str, Expr] | None = None) -> list[Expr] | None:
        """'dk' -> [d, k] when only d and k are declared: the fewest known names, longest first.
        `extra` names count too and come first (a sum's index: 2ix is 2·i·x in the sum's body)."""
        extra = extra or {}
        vocabulary = list(extra) + [n for n in list(self._names) + list(CONSTANTS)
                                    if self.lookup(n) is not None and n not in extra]
        best: list[list[str] | None] = [None] * (len(name) + 1)
        best[len(name)] = []
        for start in range(len(name) - 1, -1, -1):
            options = [[word] + best[start + len(word)] for word in vocabulary
                       if name.startswith(word, start) and best[start + len(word)] is not None]
            if options:
                best[start] = min(options, key=lambda parts: (len(parts), -len(parts[0])))
        if not best[0] or len(best[0]) < 2:
            return None
        return [extra[word] if word in extra else self.lookup(word) for word in best[0]]

    def suggest(self, name: str) -> str | None:
        """The declared name closest to a mistyped one ('Lin' -> 'L_in')."""
        targets = {key: str(value) for key, value in self._names.items()}
        folded = {key.lower().replace("_", ""): target for key, target in targets.items()}
        if name.lower().replace("_", "") in folded:
            return folded[name.lower().replace("_", "")]
        close = difflib.get_close_matches(name, list(targets), n=1, cutoff=0.6)
        return targets[close[0]] if close else None

    def describe_symbols(self) -> str:
        parts = []
        for info in self.symbols.values():
            others = [a for a in info.aliases if a != info.name][:2]
            parts.append(f"{info.name} (write {info.name} or {' or '.join(others)})" if others
                         else info.name)
        parts += [str(s) for s in self.derived]
        return ", ".join(parts)

    def describe_functions(self) -> str:
        return ", ".join(f"{name}(x)" for name in self.functions)

    # ---------------------------------------------------------- used by the checker
    def expand_definitions(self, expr: Expr) -> Expr:
        """Substitute derived quantities and declared functions by what they stand for."""
        for _ in range(len(self.derived) + 1):
            expr = expr.xreplace(self.derived)
        for declared in self.functions.values():
            expr = expr.replace(declared.applied, declared.definition)
            expr = expr.replace(declared.derivative, declared.derivative_definition)
        return expr

    def uses_derivative(self, expr: Expr) -> bool:
        return any(expr.has(declared.derivative) for declared in self.functions.values())

    def declare(self, key: str, value: Expr) -> None:
        if key in self._names and self._names[key] != value:
            raise SpecProblem(f"the name '{key}' is declared twice")
        self._names[key] = value


def canonical_name(text: str) -> str:
    """The name the lexer makes of `text` ('L_{\\text{in}}' -> 'L_in'); SpecProblem if not one name."""
    try:
        tokens = tokenize(text)
    except AnswerError as exc:
        raise SpecProblem(f"'{text}' cannot be read: {exc.message}") from None
    if len(tokens) != 2 or tokens[0].kind != NAME or tokens[1].kind != END:
        raise SpecProblem(f"'{text}' is not a single symbol name")
    return tokens[0].text


def build_table(request: dict) -> SymbolTable:
    """SymbolTable from a request's symbols, functions, derived and constraints."""
    from .parser import parse, parse_relation  # the parser needs a table: import late

    table = SymbolTable()
    for name, spec in (request.get("symbols") or {}).items():
        _declare_symbol(table, name, spec or {})
    for name, implementation in (request.get("functions") or {}).items():
        table.functions[_checked_name(name)] = _declare_function(name, implementation)
    for name, text in (request.get("derived") or {}).items():
        symbol = Symbol(_checked_name(name))
        table.derived[symbol] = _parse_definition(parse, text, table, f"derived '{name}'")
        table.declare(name, symbol)
    for text in request.get("constraints") or []:
        left, relation, right = _parse_definition(parse_relation, text, table, "constraint")
        table.constraints.append(Constraint(text, left, relation, right))
    if not table.symbols:
        raise SpecProblem("no symbols are declared")
    return table


def _checked_name(name: str) -> str:
    if canonical_name(name) != name:
        raise SpecProblem(f"'{name}' is not a valid symbol name (use letters, digits and '_')")
    return name


def _declare_symbol(table: SymbolTable, name: str, spec: dict) -> None:
    domain = spec.get("domain") or "real"
    if domain not in DOMAIN_ASSUMPTIONS:
        raise SpecProblem(f"symbol '{name}': unknown domain '{domain}'")
    aliases = tuple(spec.get("latex") or ())
    symbol = Symbol(_checked_name(name), **DOMAIN_ASSUMPTIONS[domain])
    table.symbols[name] = DeclaredSymbol(name, symbol, domain, _sample_range(name, spec, domain),
                                         aliases)
    table.declare(name, symbol)
    for alias in aliases:
        table.declare(canonical_name(alias), symbol)


def _sample_range(name: str, spec: dict, domain: str) -> tuple[float, float] | None:
    """The declared `sample: [low, high]`, checked against the domain; None when not declared."""
    sample = spec.get("sample")
    if sample is None:
        return None
    if len(sample) != 2 or not sample[0] < sample[1]:
        raise SpecProblem(f"symbol '{name}': sample must be an interval [low, high]")
    low, high = float(sample[0]), float(sample[1])
    if domain in INTEGER_DOMAINS and math.floor(high) < math.ceil(low):
        raise SpecProblem(f"symbol '{name}': sample [{low:g}, {high:g}] holds no integer")
    if not (_DOMAIN_TESTS[domain](Rational(sample[0])) or _DOMAIN_TESTS[domain](Rational(sample[1]))):
        raise SpecProblem(f"symbol '{name}': sample [{low:g}, {high:g}] lies outside the domain '{domain}'")
    return low, high


def _declare_function(name: str, implementation: str) -> DeclaredFunction:
    if implementation not in IMPLEMENTATIONS:
        raise SpecProblem(f"function '{name}': unknown implementation '{implementation}' "
                          f"(known: {', '.join(IMPLEMENTATIONS)})")
    t = Dummy("t", real=True)
    formula = IMPLEMENTATIONS[implementation](t)
    return DeclaredFunction(name, Function(name), Function(name + "'"),
                            Lambda(t, formula), Lambda(t, formula.diff(t)))


def _parse_definition(reader, text: str, table: SymbolTable, what: str):
    try:
        return reader(text, table)
    except AnswerError as exc:
        raise SpecProblem(f"{what} '{text}' cannot be read: {exc.message}") from None
