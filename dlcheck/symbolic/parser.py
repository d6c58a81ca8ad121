"""Tokens -> sympy expression, by recursive descent over a fixed grammar.

Student text never reaches eval, sympify or any sympy parser: every node is built by calling
a whitelisted constructor (Integer, Rational, Add, Mul, Pow, log, exp, sqrt, floor, ceiling,
Abs, sin, cos, tan, the constants e and pi, and the functions the exercise declares).
Instructors' references and mistakes go through this same parser.

Grammar (implicit multiplication binds like `*`, left to right, so 1/2x is x/2):
    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary | <implicit> power)*
    unary      := ("-" | "+") unary | power
    power      := atom ("^" unary)?
    atom       := number | name [call] | (…) | […] | {…} | \\frac a b | \\sqrt[n] a
                | ⌊…⌋ | ⌈…⌉ | |…|
"""

from __future__ import annotations

import math
import re
import sys
from contextlib import contextmanager
from typing import Callable

import mpmath
from sympy import (Abs, Add, Expr, Integer, Mul, Pow, Rational, S, ceiling, cos, exp, floor, log,
                   preorder_traversal, sin, sqrt, tan)

from .errors import AnswerError
from .lexer import CMD, END, NAME, NUM, OP, REL, Token, tokenize

MAX_DEPTH = 200          # nesting of brackets, signs, exponents and function calls
MAX_EXPONENT = 1000      # |numeric exponent|: larger powers are never built
MAX_RESULT_DIGITS = 1000  # a power of two numbers may not exceed this many digits
MAX_ROOT_DIGITS = 30     # roots (non-integer powers) only of numbers up to this size

__all__ = ["AnswerError", "parse", "parse_relation", "BUILTIN_FUNCTIONS"]

BUILTIN_FUNCTIONS: dict[str, Callable[[Expr], Expr]] = {
    "log": log, "ln": log, "exp": exp, "sqrt": sqrt, "floor": floor, "ceil": ceiling,
    "ceiling": ceiling, "abs": Abs, "sin": sin, "cos": cos, "tan": tan,
}
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
    equals = [i for i, ch in enumerate(text)  # <=, >= and != are relations, not equations
              if ch in "=\uff1d" and (i == 0 or text[i - 1] not in "<>!")]
    if len(equals) > 1:
        raise AnswerError(f"Write a single expression (at most one '='); your answer has {len(equals)}.",
                          equals[1])
    if not equals:
        return text, 0
    rest = text[equals[0] + 1:]
    if not rest.strip():
        raise AnswerError("Nothing follows the '=': write the expression on its right.", equals[0])
    return rest, equals[0] + 1


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
            return tok.text in ("frac", "sqrt", "lfloor", "lceil")
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

    # ------------------------------------------------------------ names
    def name(self, tok: Token) -> Expr:
        value = self.table.lookup(tok.text)
        if value is not None:
            return value
        if self.at(OP, "'"):
            return self.derivative(tok)
        function = self.function(tok.text)
        if function is not None:
            return self.apply(function, tok)
        pieces = self.table.split(tok.text)
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
                if not (exponent.is_Integer and exponent > 0):
                    raise AnswerError(f"Only positive whole powers can follow a function name "
                                      f"(character {caret.pos + 1}); write {tok.text}(x)^n.", caret.pos)
                return _power(self.apply(function, tok), exponent, caret.pos)
            elif self.starts_atom():  # LaTeX style: \ln x, \log \frac{a}{b}
                argument = self.power()
            else:
                raise AnswerError(f"'{tok.text}' at character {tok.pos + 1} needs an argument, "
                                  f"e.g. {tok.text}(x).", tok.pos)
            if function is sqrt:  # the same size checks as x^(1/2)
                return _power(argument, S.Half, tok.pos)
            return function(argument)

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
        if self.at(OP, "("):
            allowed = ", ".join(dict.fromkeys(list(BUILTIN_FUNCTIONS) + self.table.function_names()))
            return AnswerError(f"Unknown function '{tok.text}'. Functions you can use: {allowed}.",
                               tok.pos)
        suggestion = self.table.suggest(tok.text)
        hint = f" Did you mean {suggestion}?" if suggestion else ""
        if self._is_call_argument(tok):  # p_d(x): the symbol already stands for the value at x
            before = self.tokens[self.k - 3].text
            hint = f" Write {before} alone, without '({tok.text})'."
        return AnswerError(f"Unknown symbol '{tok.text}'.{hint} Declared symbols: "
                           f"{self.table.describe_symbols()}.", tok.pos)

    def _is_call_argument(self, tok: Token) -> bool:
        """`tok` is the x of `name(x)` where name is a declared symbol."""
        if self.k < 3 or not self.at(OP, ")"):
            return False
        before, opening = self.tokens[self.k - 3], self.tokens[self.k - 2]
        return (opening.kind == OP and opening.text == "(" and before.kind == NAME
                and self.table.lookup(before.text) is not None)


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
