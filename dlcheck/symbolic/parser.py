"""Tokens -> sympy expression, by recursive descent over a fixed grammar.

Student text never reaches eval, sympify or any sympy parser: every node is built by calling
a whitelisted constructor (Integer, Rational, Add, Mul, Pow, log, exp, sqrt, floor, ceiling,
Abs, the trigonometric and hyperbolic functions and their inverses, Sum and Product, the
constants e and pi, and the functions the exercise declares).
Instructors' references and mistakes go through this same parser.

Grammar (implicit multiplication binds like `*`, left to right, so 1/2x is x/2):
    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary | <implicit> power)*
    unary      := ("-" | "+") unary | power
    power      := atom ("^" unary)?
    atom       := number | name [call] | (…) | […] | {…} | \\frac a b | \\sqrt[n] a
                | ⌊…⌋ | ⌈…⌉ | |…| | \\sum _{name = expression} ^{expression} term
    call       := "(" expression ")" | "^" unary call | power   (\\ln x: one factor, see apply)
"""

from __future__ import annotations

import math
import re
import sys
from contextlib import contextmanager
from typing import Callable

import mpmath
from sympy import (Abs, Add, Expr, Integer, Mul, Pow, Rational, S, acos, acosh, acot, acoth, acsch,
                   asech, asin, asinh, atan, atanh, ceiling, cos, cosh, cot, coth, csc, csch, exp, floor,
                   log, preorder_traversal, sec, sech, sin, sinh, sqrt, tan, tanh)

from . import sums
from .errors import AnswerError
from .lexer import CMD, END, NAME, NUM, OP, REL, Token, tokenize

MAX_DEPTH = 200          # nesting of brackets, signs, exponents and function calls
MAX_EXPONENT = 1000      # |numeric exponent|: larger powers are never built
MAX_RESULT_DIGITS = 1000  # a power of two numbers may not exceed this many digits
MAX_ROOT_DIGITS = 30     # roots (non-integer powers) only of numbers up to this size

__all__ = ["AnswerError", "parse", "parse_relation", "BUILTIN_FUNCTIONS"]

BUILTIN_FUNCTIONS: dict[str, Callable[[Expr], Expr]] = {
    "log": log, "ln": log, "exp": exp, "sqrt": sqrt, "floor": floor, "ceil": ceiling,
    "ceiling": ceiling, "abs": Abs, "sin": sin, "cos": cos, "tan": tan, "sec": sec, "csc": csc,
    "cot": cot, "sinh": sinh, "cosh": cosh, "tanh": tanh, "coth": coth, "sech": sech, "csch": csch,
}
_FUNCTION_NAMES = list(BUILTIN_FUNCTIONS)  # listed in messages; the inverses are named apart
_INVERSES = {"sin": asin, "cos": acos, "tan": atan, "cot": acot, "sinh": asinh, "cosh": acosh,
             "tanh": atanh, "coth": acoth, "sech": asech, "csch": acsch}
# Each inverse under every name it goes by: atan, arctan; atanh, arctanh, artanh (area tangent).
BUILTIN_FUNCTIONS |= {prefix + name: inverse for name, inverse in _INVERSES.items()
                      for prefix in ("a", "arc", "ar") if prefix != "ar" or name.endswith("h")}
# The inverse function f^{-1} could mean, named in the message that refuses it as ambiguous.
_INVERSE_NAMES = {name: ("ar" if name.endswith("h") else "arc") + name for name in _INVERSES}
_INVERSE_NAMES |= {"exp": "log", "ln": "exp", "log": "exp"}
_BIG_OPERATOR_CALLS = {"sum": "sum", "prod": "prod", "product": "prod"}
_LOG_BASE = re.compile(r"log_(\d{1,3})$")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_UNDEFINED = (S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity)


def parse(text: str, table) -> Expr:
    """Read an answer; with one top-level '=' (`D^*(x) = …`) only the right-hand side is read."""
    body, offset = _right_of_equals(text)
    return _parse_tokens(tokenize(body, offset), table, text)


def parse_relation(text: str, table) -> tuple[Expr, str, Expr]:
    """Read a constraint such as `alpha_bar_t < alpha_t`: (left, operator, right)."""
    tokens = tokenize(text)
    relations = [i for i, t in enumerate(tokens) if t.kind == REL]
    if len(relations) != 1:
        raise AnswerError(f"Expected exactly one of < <= > >= != in '{text}'.")
    i = relations[0]
    left = _parse_tokens(tokens[:i] + [Token(END, "", tokens[i].pos)], table, text)
    right = _parse_tokens(tokens[i + 1:], table, text)
    return left, tokens[i].text, right


def _right_of_equals(text: str) -> tuple[str, int]:
    if not text.strip():
        raise AnswerError("Your answer is empty: write one expression, in plain text such as "
                          "(a + b)/2 or in LaTeX such as \\frac{a+b}{2}.")
    equals = _top_level_equals(text)
    if len(equals) > 1:
        raise AnswerError(f"Write a single expression (at most one '='); your answer has {len(equals)}.",
                          equals[1])
    if not equals:
        return text, 0
    rest = text[equals[0] + 1:]
    if not rest.strip():
        raise AnswerError("Nothing follows the '=': write the expression on its right.", equals[0])
    return rest, equals[0] + 1


def _top_level_equals(text: str) -> list[int]:
    """Where '=' stands outside braces: the one of `\\sum_{i=1}` belongs to the sum. <=, >= and
    != are relations, not equations."""
    found, depth, i = [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":  # \\{ and \\} do not open or close a group
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch in "=\uff1d" and depth == 0 and (i == 0 or text[i - 1] not in "<>!"):
            found.append(i)
        i += 1
    return found


def _parse_tokens(tokens: list[Token], table, source: str) -> Expr:
    # Legal nesting (MAX_DEPTH levels) takes several Python frames per level.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * MAX_DEPTH))
    try:
        expr = _Parser(tokens, table, source).parse_all()
    except RecursionError:
        raise AnswerError(f"Your answer is nested too deeply (at most {MAX_DEPTH} levels).") from None
    _check_result(expr)
    return expr


def _check_result(expr: Expr) -> None:
    if expr.has(*_UNDEFINED):
        raise AnswerError("Your answer is undefined as written (a division by zero?).")
    for node in preorder_traversal(expr):  # sympy may merge powers, e.g. (x^1000)^1000
        if node.is_Pow and node.exp.is_number and _magnitude(node.exp) > MAX_EXPONENT:
            raise AnswerError(f"Exponents larger than {MAX_EXPONENT} are not supported.")


def _magnitude(number: Expr) -> float:
    """|number| as a float (inf when it is not a finite number)."""
    try:
        return float(Abs(number).evalf(15))
    except (TypeError, ValueError, OverflowError):
        return math.inf


def _number(text: str) -> Expr:
    """Exact value of a literal: 0.5 is Rational(1, 2), never a float."""
    whole, _, fraction = text.partition(".")
    if not fraction:
        return Integer(int(whole))
    scale = 10 ** len(fraction)
    return Rational(int(whole or "0") * scale + int(fraction), scale)


class _Parser:
    def __init__(self, tokens: list[Token], table, source: str):
        self.tokens, self.table, self.source = list(tokens), table, source
        self.k = 0
        self.depth = 0
        self.inside_bars = False  # within |…| a '|' closes instead of opening
        self.indices: dict[str, tuple[Expr, str]] = {}  # name -> (index, "sum"|"prod") being read

    # ------------------------------------------------------------ token helpers
    def peek(self) -> Token:
        return self.tokens[self.k]

    def take(self) -> Token:
        tok = self.tokens[self.k]
        if tok.kind != END:
            self.k += 1
        return tok

    def at(self, kind: str, *texts: str) -> bool:
        tok = self.peek()
        return tok.kind == kind and (not texts or tok.text in texts)

    def expect(self, kind: str, text: str, opened: Token | None = None) -> Token:
        if self.at(kind, text):
            return self.take()
        shown = {"rfloor": "\\rfloor", "rceil": "\\rceil"}.get(text, text)
        if opened is not None and self.at(END):
            raise AnswerError(f"Missing '{shown}': the one opened at character {opened.pos + 1} "
                              "is never closed.", opened.pos)
        raise self.unexpected(self.peek(), f"expected '{shown}'")

    def unexpected(self, tok: Token, hint: str = "") -> AnswerError:
        hint = f" ({hint})" if hint else ""
        if tok.kind == END:
            return AnswerError(f"Your answer ends too early: something is missing at the end{hint}.",
                               tok.pos)
        shown = {CMD: "\\" + tok.text}.get(tok.kind, tok.text)
        near = self.source[max(0, tok.pos - 12): tok.pos + 8].replace("\n", " ")
        return AnswerError(f"Unexpected '{shown}' at character {tok.pos + 1}, near \"{near}\"{hint}.",
                           tok.pos)

    @contextmanager
    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerError(f"Your answer is nested too deeply (at most {MAX_DEPTH} levels).",
                              self.peek().pos)
        try:
            yield
        finally:
            self.depth -= 1

    def starts_atom(self) -> bool:
        tok = self.peek()
        if tok.kind in (NUM, NAME):
            return True
        if tok.kind == CMD:
            return tok.text in ("frac", "sqrt", "lfloor", "lceil", "sum", "prod")
        return tok.kind == OP and (tok.text in "([{" or (tok.text == "|" and not self.inside_bars))

    # ------------------------------------------------------------ grammar
    def parse_all(self) -> Expr:
        expr = self.expression()
        if not self.at(END):
            tok = self.peek()
            hint = "check that your brackets match" if tok.text in ")]}" else ""
            if tok.kind == REL:
                hint = "write an expression, not an inequality"
            raise self.unexpected(tok, hint)
        return expr

    def expression(self) -> Expr:
        with self.nested():
            terms = [self.term()]
            while self.at(OP, "+", "-"):
                sign = self.take().text
                term = self.term()
                terms.append(term if sign == "+" else -term)
            return Add(*terms)

    def term(self) -> Expr:
        factors = [self.unary()]
        while True:
            if self.at(OP, "*"):
                self.take()
                factors.append(self.unary())
            elif self.at(OP, "/"):
                self.take()
                factors.append(Pow(self.unary(), -1))
            elif self.starts_atom():
                previous = self.tokens[self.k - 1]
                if previous.kind == NUM and self.at(NUM):
                    raise self.unexpected(self.peek(), "two numbers in a row: use * to multiply")
                factors.append(self.power())
            else:
                return Mul(*factors)

    def unary(self) -> Expr:
        if self.at(OP, "-", "+"):
            sign = self.take().text
            with self.nested():
                operand = self.unary()
            return -operand if sign == "-" else operand
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if not self.at(OP, "^"):
            return base
        caret = self.take()
        with self.nested():
            exponent = self.unary()
        return _power(base, exponent, caret.pos)

    def atom(self) -> Expr:
        tok = self.peek()
        if tok.kind == NUM:
            return _number(self.take().text)
        if tok.kind == NAME:
            return self.name(self.take())
        if tok.kind == OP and tok.text in _CLOSERS:
            return self.bracketed()
        if tok.kind == OP and tok.text == "|" and not self.inside_bars:
            return self.absolute()
        if tok.kind == CMD and tok.text == "frac":
            self.take()
            numerator = self.macro_argument("\\frac")
            return Mul(numerator, Pow(self.macro_argument("\\frac"), -1))
        if tok.kind == CMD and tok.text == "sqrt":
            return self.root()
        if tok.kind == CMD and tok.text in ("lfloor", "lceil"):
            return self.rounding()
        if tok.kind == CMD and tok.text in ("sum", "prod"):
            return self.big_operator()
        raise self.unexpected(tok)

    def bracketed(self) -> Expr:
        before = self.tokens[self.k - 1] if self.k else None
        opened = self.take()
        closer = _CLOSERS[opened.text]
        if self.at(OP, closer):
            raise self.unexpected(self.peek(), "empty brackets")
        outer, self.inside_bars = self.inside_bars, False
        try:
            inner = self.expression()
        finally:
            self.inside_bars = outer
        if self.at(OP, ","):
            raise self.argument_list(before, opened)
        self.expect(OP, closer, opened)
        return inner

    def argument_list(self, before: Token | None, opened: Token) -> AnswerError:
        """A comma in brackets: usually a symbol written with arguments, like epsilon_theta(x_t, t)."""
        if before is not None and before.kind == NAME and self.table.lookup(before.text) is not None:
            return AnswerError(f"'{before.text}' is a symbol, not a function: write it alone, without "
                               f"the arguments in brackets at character {opened.pos + 1}.", opened.pos)
        return self.unexpected(self.peek(), "an answer is one expression: there is nothing to separate")

    def absolute(self) -> Expr:
        opened = self.take()
        self.inside_bars = True
        try:
            inner = self.expression()
        finally:
            self.inside_bars = False
        self.expect(OP, "|", opened)
        return Abs(inner)

    def rounding(self) -> Expr:
        opened = self.take()
        inner = self.expression()
        if opened.text == "lfloor":
            self.expect(CMD, "rfloor", opened)
            return floor(inner)
        self.expect(CMD, "rceil", opened)
        return ceiling(inner)

    def root(self) -> Expr:
        command = self.take()
        if self.at(OP, "["):
            opened = self.take()
            degree = self.expression()
            self.expect(OP, "]", opened)
            radicand = self.macro_argument("\\sqrt")
            return _power(radicand, Pow(degree, -1), opened.pos)
        return _power(self.macro_argument("\\sqrt"), S.Half, command.pos)

    def macro_argument(self, macro: str) -> Expr:
        """A LaTeX argument: {…}, or a single digit / letter / command (\\frac12, \\frac ab, \\sqrt x)."""
        tok = self.peek()
        if tok.kind == OP and tok.text in "({":
            return self.bracketed()
        if tok.kind == NUM and len(tok.text) > 1 and tok.text[0].isdigit():
            self.tokens[self.k] = Token(NUM, tok.text[1:], tok.pos + 1)
            return Integer(int(tok.text[0]))
        if tok.kind == NAME and tok.bare and len(tok.text) > 1:
            self.tokens[self.k] = Token(NAME, tok.text[1:], tok.pos + 1, bare=True)
            return self.name(Token(NAME, tok.text[0], tok.pos, bare=True))
        if tok.kind in (NUM, NAME, CMD):
            with self.nested():
                return self.atom()
        example = "\\frac{a}{b}" if macro == "\\frac" else "\\sqrt{x}"
        raise self.unexpected(tok, f"{macro} needs its arguments in braces, e.g. {example}")

    # ------------------------------------------------------------ sums and products
    def big_operator(self) -> Expr:
        """\\sum_{i=a}^{b} body: the body is the product that follows, up to the next + or −
        (as in \\sum_i x_i y_i + c); the index is bound in the body only. A problem in a bound
        is reported after the body is read, unless the body has a symbol indexed by the index
        (\\prod_{s=1}^{t} \\alpha_s with no t declared): that is the real problem."""
        command = self.take()
        kind = command.text
        with self.nested():
            name, opened = self.index_name(command)
            lower = self.bound_value(opened)
            upper = self.bound_value(self.upper_opened(command, name))
            index = sums.index_symbol(name)
            try:
                body = self.body(kind, name, index)
            except sums.IndexedSymbol:
                raise
            except AnswerError:
                _raise_first(lower, upper)
                raise
            _raise_first(lower, upper)
            sums.check_bounds(kind, lower, upper, command.pos)
            sums.check_body(kind, body, index, command.pos)
            return sums.build(kind, body, index, lower, upper)

    def body(self, kind: str, name: str, index: Expr) -> Expr:
        outer = self.indices
        self.indices = {**outer, name: (index, kind)}
        try:
            if not self.starts_atom() and not self.at(OP, "-", "+"):
                raise self.unexpected(self.peek(), f"the {sums.word(kind)} has nothing to add up")
            return self.term()
        finally:
            self.indices = outer

    def index_name(self, command: Token) -> tuple[str, Token]:
        """'_' '{' index '=' (the lexer emits every script in braces); returns the name and the '{'."""
        what = sums.word(command.text)
        example = f"\\{command.text}_{{i=1}}^{{n}}"
        if not self.at(OP, "_"):
            raise AnswerError(f"The {what} at character {command.pos + 1} needs its bounds: write "
                              f"{example} … (the index, its first value and its last).", command.pos)
        self.take()
        opened = self.expect(OP, "{")
        if not self.at(NAME):
            raise AnswerError(f"The index of the {what} at character {opened.pos + 1} must be a name, as "
                              f"in {example}.", opened.pos)
        index = self.take()
        if not self.at(OP, "="):
            raise AnswerError(f"The {what} at character {command.pos + 1} needs its bounds: write "
                              f"{example} …, with the first value of {index.text} after '='.", command.pos)
        self.take()
        return index.text, opened

    def upper_opened(self, command: Token, index: str) -> Token:
        if not self.at(OP, "^"):
            raise AnswerError(f"The {sums.word(command.text)} at character {command.pos + 1} has no "
                              f"upper bound: write \\{command.text}_{{{index}=1}}^{{n}} ….", command.pos)
        self.take()
        return self.expect(OP, "{")

    def bound_value(self, opened: Token) -> Expr | AnswerError:
        """A bound up to its closing '}'; a bound that cannot be read gives its error instead,
        with the parser moved past the '}'."""
        start = self.k
        try:
            value = self.expression()
            self.expect(OP, "}", opened)
            return value
        except AnswerError as problem:
            depth = 1
            for k in range(start, len(self.tokens)):
                tok = self.tokens[k]
                depth += (tok.kind == OP and tok.text == "{") - (tok.kind == OP and tok.text == "}")
                if depth == 0:
                    self.k = k + 1
                    return problem
            raise

    # ------------------------------------------------------------ names
    def name(self, tok: Token) -> Expr:
        if tok.text in self.indices:
            return self.indices[tok.text][0]
        for index, (_, kind) in self.indices.items():
            if sums.indexed_by(tok.text, index):
                raise sums.indexed_symbol_error(tok.text, index, kind, tok.pos, self.table)
        value = self.table.lookup(tok.text)
        if value is not None:
            return value
        if self.at(OP, "'"):
            return self.derivative(tok)
        function = self.function(tok.text)
        if function is not None:
            return self.apply(function, tok)
        pieces = self.table.split(tok.text, {name: index for name, (index, _) in self.indices.items()})
        if pieces:
            return Mul(*pieces)
        raise self.unknown(tok)

    def function(self, name: str) -> Callable[[Expr], Expr] | None:
        if name in BUILTIN_FUNCTIONS:
            return BUILTIN_FUNCTIONS[name]
        declared = self.table.function(name)
        if declared is not None:
            return declared
        base = _LOG_BASE.match(name)
        if base and int(base.group(1)) > 1:
            return lambda arg: log(arg) / log(Integer(int(base.group(1))))
        return None

    def apply(self, function: Callable[[Expr], Expr], tok: Token) -> Expr:
        with self.nested():
            if self.at(OP, "("):
                opened = self.take()
                argument = self.expression()
                if self.at(OP, ","):
                    raise self.unexpected(self.peek(), f"{tok.text} takes one argument")
                self.expect(OP, ")", opened)
            elif self.at(OP, "^"):  # sigma^2(x), \log^2 x: a power of the value
                caret = self.take()
                exponent = self.unary()
                if exponent == -1:
                    raise _ambiguous_inverse(tok.text, caret.pos)
                if not (exponent.is_Integer and exponent > 0):
                    raise AnswerError(f"Only positive whole powers can follow a function name "
                                      f"(character {caret.pos + 1}); write {tok.text}(x)^n.", caret.pos)
                return _power(self.apply(function, tok), exponent, caret.pos)
            elif self.starts_atom():  # LaTeX style: \ln x, \log \frac{a}{b}
                first = self.peek()
                argument = self.power()
                if self.starts_atom() and not self.at_function_call():
                    raise self.bracketless_argument(tok, first)
            else:
                raise AnswerError(f"'{tok.text}' at character {tok.pos + 1} needs an argument, "
                                  f"e.g. {tok.text}(x).", tok.pos)
            if function is sqrt:  # the same size checks as x^(1/2)
                return _power(argument, S.Half, tok.pos)
            return function(argument)

    def at_function_call(self) -> bool:
        """The next factor is a function applied to something: \\sin x \\cos x is sin(x)·cos(x)."""
        tok = self.peek()
        return (tok.kind == NAME and tok.text not in self.indices and self.table.lookup(tok.text) is None
                and self.function(tok.text) is not None)

    def bracketless_argument(self, function: Token, first: Token) -> AnswerError:
        """`\\ln 2\\pi e\\sigma^2`: only the first factor would be the argument, the others would
        multiply the value. Said, with the reading and the fix, rather than silently read."""
        rest = self.peek()
        while self.starts_atom():  # the factors that would multiply outside
            self.power()
        end = self.peek().pos
        typed = self.source[function.pos:end].strip()
        name = self.source[function.pos:first.pos].strip()
        argument = self.source[first.pos:rest.pos].strip()
        outside = self.source[rest.pos:end].strip()
        whole = self.source[first.pos:end].strip()
        return AnswerError(
            f"'{typed}' at character {function.pos + 1} would be read as {name}({argument})·{outside}: "
            f"without brackets, the argument of {function.text} is only its first factor. Put the whole "
            f"argument in brackets, {name}({whole}), or, if you mean the product, write "
            f"{name}({argument}) {outside}.", function.pos)

    def derivative(self, tok: Token) -> Expr:
        prime = self.take()
        derivative = self.table.derivative(tok.text)
        if derivative is None:
            raise AnswerError(f"The prime at character {prime.pos + 1} only works on a declared "
                              f"function ({self.table.describe_functions() or 'none here'}).", prime.pos)
        if self.at(OP, "'"):
            raise self.unexpected(self.peek(), "only first derivatives can be written with a prime")
        if not self.at(OP, "("):
            raise self.unexpected(self.peek(), f"write {tok.text}'(x)")
        return self.apply(derivative, tok)

    def unknown(self, tok: Token) -> AnswerError:
        if self.at(OP, "(") and tok.text.lower() in _BIG_OPERATOR_CALLS:
            command = _BIG_OPERATOR_CALLS[tok.text.lower()]
            return AnswerError(
                f"'{tok.text}(…)' is not a function here: write a {sums.word(command)} with its index and "
                f"bounds, \\{command}_{{i=1}}^{{n}} … in LaTeX or {command}_{{i=1}}^{{n}} … in plain "
                "text.", tok.pos)
        if self.at(OP, "("):
            allowed = ", ".join(dict.fromkeys(_FUNCTION_NAMES + self.table.function_names()))
            return AnswerError(f"Unknown function '{tok.text}'. Functions you can use: {allowed} "
                               f"(and the inverses {', '.join(_INVERSE_NAMES[n] for n in _INVERSES)}).",
                               tok.pos)
        suggestion = self._function_run_together(tok.text) or self.table.suggest(tok.text)
        hint = f" Did you mean {suggestion}?" if suggestion else ""
        if self._is_call_argument(tok):  # p_d(x): the symbol already stands for the value at x
            before = self.tokens[self.k - 3].text
            hint = f" Write {before} alone, without '({tok.text})'."
        return AnswerError(f"Unknown symbol '{tok.text}'.{hint} Declared symbols: "
                           f"{self.table.describe_symbols()}.", tok.pos)

    def _function_run_together(self, name: str) -> str | None:
        """'tanhx' -> 'tanh(x)': a function name run into a declared symbol."""
        for function in sorted(BUILTIN_FUNCTIONS, key=len, reverse=True):
            rest = name[len(function):]
            if name.startswith(function) and rest and self.table.lookup(rest) is not None:
                return f"{function}({rest})"
        return None

    def _is_call_argument(self, tok: Token) -> bool:
        """`tok` is the x of `name(x)` where name is a declared symbol."""
        if self.k < 3 or not self.at(OP, ")"):
            return False
        before, opening = self.tokens[self.k - 3], self.tokens[self.k - 2]
        return (opening.kind == OP and opening.text == "(" and before.kind == NAME
                and self.table.lookup(before.text) is not None)


def _raise_first(*values: Expr | AnswerError) -> None:
    for value in values:
        if isinstance(value, AnswerError):
            raise value


def _ambiguous_inverse(name: str, where: int) -> AnswerError:
    inverse = _INVERSE_NAMES.get(name)
    meaning = (f"write {inverse}(x) for the inverse function or 1/{name}(x) for the reciprocal"
               if inverse else f"write 1/{name}(x) for the reciprocal")
    return AnswerError(f"Only positive whole powers can follow a function name: '{name}^{{-1}}' at "
                       f"character {where + 1} could mean the inverse function or the reciprocal; "
                       f"{meaning}.", where)


def _power(base: Expr, exponent: Expr, where: int) -> Expr:
    """base^exponent, refusing powers that would build huge numbers (9^9^9^9)."""
    size = _magnitude(exponent) if exponent.is_number else None
    if size is not None and size > MAX_EXPONENT:
        raise AnswerError(f"The exponent at character {where + 1} is too large "
                          f"(at most {MAX_EXPONENT} in size).", where)
    if base.is_number:
        digits = _digits(base)
        if size is not None and size * digits > MAX_RESULT_DIGITS:
            raise AnswerError(f"The power at character {where + 1} would be a number with "
                              f"more than {MAX_RESULT_DIGITS} digits.", where)
        if digits > MAX_ROOT_DIGITS and (size is None or not exponent.is_integer):
            # sympy factors a number to simplify its roots: slow for huge numbers
            raise AnswerError(f"A number with more than {MAX_ROOT_DIGITS} digits (at character "
                              f"{where + 1}) may only be raised to a whole number.", where)
    return Pow(base, exponent)


def _digits(number: Expr) -> float:
    """Roughly how many decimal digits |number| has before the point (0 for |number| <= 1)."""
    if number.is_Rational:  # exact and fast, even for a 1000-digit integer
        bits = abs(number.p).bit_length() - number.q.bit_length()
    else:
        value = Abs(number).evalf(15)
        if not value.is_Float:
            return math.inf
        bits = mpmath.mag(mpmath.mpf(value)) if value else 0
    return max(bits * math.log10(2), 0.0)
