"""Answer text (plain, LaTeX or unicode math) -> tokens. Pure string work: nothing is evaluated.

Unicode is first mapped onto the plain/LaTeX alphabet (fullwidth forms, Greek letters, −, ·,
√, superscripts, accents); every character keeps the position it had in the typed text, so
errors point at what the student wrote. Symbol names come out canonical, whatever the style:
`L_{\\text{in}}`, `L_{in}` and `L_in` are all `L_in`; `\\bar{\\alpha}_t`, `\\overline\\alpha_t`
and `ᾱ_t` are all `alpha_bar_t`; `\\varepsilon` and `ε` are `epsilon`. A sum or product
(`\\sum_{i=1}^{n}`, `\\prod^{t}_{s=1}`, `∑`, `Σ_{i=1}`, plain `sum_{i=1}^{n}`) comes out as a
command followed by its scripts, always in the order `_ { … } ^ { … }`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import AnswerError

MAX_TEXT = 5000      # characters of answer text
MAX_TOKENS = 2000
MAX_DIGITS = 30      # digits in one number literal
MAX_NAME = 64        # characters in one (canonical) name
MAX_GROUP_DEPTH = 50  # nesting of {…} inside subscripts, accents and \text

NUM, NAME, OP, CMD, REL, END = "number", "name", "operator", "command", "relation", "end"

_GREEK_LOWER = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega").split()
GREEK = frozenset(_GREEK_LOWER + [g.capitalize() for g in _GREEK_LOWER])
GREEK_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varsigma": "sigma",
                  "varrho": "rho", "varkappa": "kappa", "varpi": "pi"}
# LaTeX's own function commands, and the hyperbolic ones it lacks (\sech, \artanh, …) that
# students type anyway; each is a name the parser knows as a function.
FUNCTION_COMMANDS = frozenset({
    "log", "ln", "exp", "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan",
    "arccot", "sinh", "cosh", "tanh", "coth", "sech", "csch", "arsinh", "arcosh", "artanh", "arcoth",
    "arsech", "arcsch", "arcsinh", "arccosh", "arctanh", "arccoth", "arcsech", "arccsch"})
# \sum and \prod (plain sum_, prod_); a Σ or Π whose subscript holds '=' is one too: Σ_{i=1}^{n}
BIG_OPERATORS = {"sum": "sum", "prod": "prod", "Sigma": "sum", "Pi": "prod"}
_LETTER_COMMANDS = {"ell": "ell"}  # \ell, the usual name of a layer index
_LIMITS = re.compile(r"\\(?:no)?limits(?![A-Za-z])")
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_DELIMITER_COMMANDS = frozenset({"lfloor", "rfloor", "lceil", "rceil"})
# Sizing and spacing only change the typesetting; `\left.` is an invisible delimiter.
_SIZING = frozenset({"left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
                     "Bigr", "biggl", "biggr", "Biggl", "Biggr"})
_IGNORED = frozenset({",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle",
                      "limits", "nolimits", "(", ")", "[", "]"}) | _SIZING  # \( \) \[ \] are math delimiters
_OPERATOR_COMMANDS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "{": "(", "}": ")",
                      "lbrace": "(", "rbrace": ")", "lvert": "|", "rvert": "|", "vert": "|",
                      "prime": "'"}
_RELATION_COMMANDS = {"le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "ne": "!=", "neq": "!=",
                      "lt": "<", "gt": ">"}
_TEXT_COMMANDS = frozenset({"text", "textrm", "textit", "mathrm", "mathit", "mathbf", "mathsf",
                            "mathnormal", "boldsymbol", "bm", "operatorname"})
_ACCENTS = {"bar": "bar", "overline": "bar", "hat": "hat", "widehat": "hat", "tilde": "tilde",
            "widetilde": "tilde", "dot": "dot", "vec": "vec"}
_UNSUPPORTED = {"infty": "infinity", "in": "sums over a set", "int": "integrals",
                "lim": "limits", "max": "max", "min": "min", "partial": "partial derivatives",
                "nabla": "gradients", "pm": "±", "mp": "∓", "approx": "≈", "cdots": "…",
                "ldots": "…", "dots": "…", "\\": "line breaks"}

# Unicode characters with a plain or LaTeX meaning (after NFKC normalisation).
_CHAR_MAP = {
    "\u2212": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-",
    "\u00b7": "*", "\u22c5": "*", "\u00d7": "*", "\u2217": "*", "\u2219": "*", "\u2022": "*",
    "\u00f7": "/", "\u2215": "/", "\u2044": "/",
    "\u221a": "\\sqrt ", "\u230a": "\\lfloor ", "\u230b": "\\rfloor ", "\u2308": "\\lceil ",
    "\u2309": "\\rceil ", "\u2264": "\\le ", "\u2265": "\\ge ", "\u2260": "\\ne ",
    "\u2032": "'", "\u2019": "'", "\u2211": "\\sum ", "\u220f": "\\prod ", "\u221e": "\\infty ",
}
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_COMBINING_ACCENTS = {"\u0304": "bar", "\u0305": "bar", "\u0302": "hat", "\u0303": "tilde",
                      "\u0307": "dot", "\u20d7": "vec"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int            # index into the typed text
    bare: bool = False  # a name of plain letters only: `\frac ab` takes its first letter


# ---------------------------------------------------------------- unicode normalisation

class _Normalized:
    """Normalised text plus, for each of its characters, the index it came from."""

    def __init__(self) -> None:
        self.pieces: list[tuple[str, int]] = []

    def emit(self, text: str, pos: int) -> None:
        if text:
            self.pieces.append((text, pos))

    def accent_last(self, accent: str, pos: int) -> None:
        if not self.pieces or not self.pieces[-1][0].strip():
            raise AnswerError(f"An accent at character {pos + 1} has no letter to sit on.", pos)
        text, start = self.pieces[-1]
        self.pieces[-1] = (f"\\{accent}{{{text}}}", start)

    def result(self) -> tuple[str, list[int]]:
        chars = "".join(text for text, _ in self.pieces)
        origins = [pos for text, pos in self.pieces for _ in text]
        return chars, origins


def _script_kind(ch: str) -> str | None:
    """'^' for superscript characters (², ⁻, ᵗ), '_' for subscripts (₁, ₜ), else None."""
    if ch.isascii():
        return None
    name = unicodedata.name(ch, "")
    if "SUPERSCRIPT" in name or name.startswith("MODIFIER LETTER SMALL") \
            or name.startswith("MODIFIER LETTER CAPITAL"):
        return "^"
    if "SUBSCRIPT" in name:
        return "_"
    return None


def _greek_name(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, capital in (("GREEK SMALL LETTER ", False), ("GREEK CAPITAL LETTER ", True)):
        if name.startswith(prefix):
            word = name[len(prefix):].lower().replace("final ", "").replace("lamda", "lambda")
            if word in GREEK:
                return word.capitalize() if capital else word
    return None


def _map_char(ch: str, pos: int) -> str:
    if ch in "\t\n\r":
        return " "
    if ch.isascii():
        if ch.isprintable():
            return ch
        raise AnswerError(f"Unexpected control character at character {pos + 1}.", pos)
    if ch in _CHAR_MAP:
        return _CHAR_MAP[ch]
    if ch in _ZERO_WIDTH:
        return ""
    greek = _greek_name(ch)
    if greek:
        return f"\\{greek} "
    if unicodedata.category(ch) == "Zs":
        return " "
    name = unicodedata.name(ch, "unnamed character").title()
    raise AnswerError(
        f"Unsupported character '{ch}' ({name}) at character {pos + 1}; it may look like a "
        "Latin letter or a math sign but is not one. Type it in plain ASCII or LaTeX.", pos)


def normalize(text: str, offset: int = 0) -> tuple[str, list[int]]:
    """Map unicode math onto plain/LaTeX characters; returns the text and each character's origin."""
    out = _Normalized()
    i = 0
    while i < len(text):
        kind = _script_kind(text[i])
        if kind:  # a run like ⁻¹ becomes ^{-1}, ₁₂ becomes _{12}
            j = i
            while j < len(text) and _script_kind(text[j]) == kind:
                j += 1
            inner = "".join(_map_char(c, offset + i) for c in unicodedata.normalize("NFKC", text[i:j]))
            out.emit(f"{kind}{{{inner}}}", offset + i)
            i = j
            continue
        for ch in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text[i])):
            if unicodedata.combining(ch):
                accent = _COMBINING_ACCENTS.get(ch)
                if accent is None:
                    raise AnswerError(f"Unsupported accent on the letter at character {offset + i + 1}.",
                                      offset + i)
                out.accent_last(accent, offset + i)
            else:
                out.emit(_map_char(ch, offset + i), offset + i)
        i += 1
    return out.result()


# ---------------------------------------------------------------- tokens

def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Tokens of `text`; positions count from `offset` (where `text` starts in the typed answer)."""
    if len(text) > MAX_TEXT:
        raise AnswerError(f"Your answer is too long ({len(text)} characters; at most {MAX_TEXT}).")
    chars, origins = normalize(text, offset)
    tokens = _Lexer(chars, origins, end=offset + len(text)).run()
    if len(tokens) > MAX_TOKENS:
        raise AnswerError(f"Your answer is too long (more than {MAX_TOKENS} symbols).")
    return tokens


def head_and_rest(name: str) -> tuple[str, str]:
    """'alpha_t' -> ('alpha', '_t'): where an accent suffix goes."""
    head, sep, rest = name.partition("_")
    return head, sep + rest


class _Lexer:
    def __init__(self, chars: str, origins: list[int], end: int, depth: int = 0):
        self.s, self.origins, self.end, self.depth = chars, origins, end, depth
        self.i = 0
        self.out: list[Token] = []

    # -- helpers
    def pos(self, i: int | None = None) -> int:
        i = self.i if i is None else i
        return self.origins[i] if i < len(self.origins) else self.end

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.s[j] if j < len(self.s) else ""

    def skip_spaces(self) -> None:
        while self.peek() == " ":
            self.i += 1

    def fail(self, message: str, i: int | None = None) -> AnswerError:
        return AnswerError(message, self.pos(i))

    def add(self, kind: str, text: str, start: int, bare: bool = False) -> None:
        self.out.append(Token(kind, text, self.pos(start), bare))

    # -- main loop
    def run(self) -> list[Token]:
        while self.i < len(self.s):
            if len(self.out) > MAX_TOKENS:
                break
            self.step()
        self.out.append(Token(END, "", self.end))
        return self.out

    def step(self) -> None:
        ch, start = self.peek(), self.i
        if ch in " $":  # $…$ and $$…$$ delimiters carry no meaning here
            self.i += 1
        elif ch.isdigit() or (ch == "." and self.peek(1).isdigit()):
            self.number()
        elif ch.isascii() and ch.isalpha():
            self.plain_name()
        elif ch == "\\":
            self.command()
        elif ch == "*" and self.peek(1) == "*":
            self.i += 2
            self.add(OP, "^", start)
        elif ch in "<>!" and self.peek(1) == "=":
            self.i += 2
            self.add(REL, ch + "=", start)
        elif ch in "<>":
            self.i += 1
            self.add(REL, ch, start)
        elif ch in "+-*/^()[]{}|,='":
            self.i += 1
            self.add(OP, ch, start)
        else:
            raise self.fail(self.unexpected_message(ch, start))

    def unexpected_message(self, ch: str, start: int) -> str:
        where = f"at character {self.pos(start) + 1}"
        if ch == "_":
            return f"'_' {where} must follow a symbol name, as in x_t or L_{{in}}."
        if ch == ".":
            return (f"Unexpected '.' {where}: write decimals as 0.5; "
                    "anything like attribute access (a.b) is not allowed.")
        if ch == "!":
            return f"Factorials ('!' {where}) are not supported in answers."
        return f"Unexpected character '{ch}' {where}."

    def number(self) -> None:
        start = self.i
        match = _NUMBER.match(self.s, self.i)
        text = match.group()
        if sum(c.isdigit() for c in text) > MAX_DIGITS:
            raise self.fail(f"The number at character {self.pos(start) + 1} is too long "
                            f"(at most {MAX_DIGITS} digits).", start)
        self.i = match.end()
        self.add(NUM, text, start)

    def plain_name(self) -> None:
        start = self.i
        while self.peek().isascii() and self.peek().isalnum():
            self.i += 1
        word = self.s[start:self.i]
        if word in ("sum", "prod") and self.next_char() == "_":  # sum_{i=1}^{n}: \sum typed plainly
            self.big_operator(word, start)
        else:
            self.named(word, start, bare=word.isalpha())

    def next_char(self) -> str:
        """The next character that is not a space."""
        j = self.i
        while j < len(self.s) and self.s[j] == " ":
            j += 1
        return self.s[j] if j < len(self.s) else ""

    def named(self, name: str, start: int, bare: bool = False) -> None:
        """Emit a name token, taking any subscripts that follow (x_t, L_{in}, \\mu_1)."""
        while True:
            j = self.i
            while j < len(self.s) and self.s[j] == " ":
                j += 1
            if j >= len(self.s) or self.s[j] != "_":
                break
            self.i = j + 1
            self.skip_spaces()
            name += "_" + self.subscript()
            bare = False
        if len(name) > MAX_NAME:
            raise self.fail(f"The name at character {self.pos(start) + 1} is too long.", start)
        self.add(NAME, name, start, bare)

    def subscript(self) -> str:
        ch, start = self.peek(), self.i
        if ch == "{":
            inner_start, inner_end = self.group()
            return self.group_as_name(inner_start, inner_end, raw_fallback=True)
        if ch == "\\":
            word = self.command_word()
            if word in GREEK or word in GREEK_VARIANTS:
                return GREEK_VARIANTS.get(word, word)
            if word in _TEXT_COMMANDS:
                return self.argument_as_name(word)
            raise self.fail(f"'\\{word}' cannot be used as a subscript.", start)
        if ch.isascii() and ch.isalnum():
            while self.peek().isascii() and self.peek().isalnum():
                self.i += 1
            return self.s[start:self.i]
        raise self.fail(f"Expected a subscript after '_' at character {self.pos(start) + 1}, "
                        "as in x_t or L_{in}.", start)

    # -- groups and sub-lexing
    def group(self) -> tuple[int, int]:
        """Skip a balanced {…} starting at self.i; returns the span of its content."""
        open_at, level, j = self.i, 0, self.i
        while j < len(self.s):
            if self.s[j] == "\\":  # \{ and \} do not count
                j += 2
                continue
            if self.s[j] == "{":
                level += 1
            elif self.s[j] == "}":
                level -= 1
                if level == 0:
                    self.i = j + 1
                    return open_at + 1, j
            j += 1
        raise self.fail(f"The '{{' at character {self.pos(open_at) + 1} is never closed.", open_at)

    def sub_tokens(self, start: int, end: int) -> list[Token]:
        if self.depth >= MAX_GROUP_DEPTH:
            raise self.fail("Braces are nested too deeply.", start)
        inner = _Lexer(self.s[start:end], self.origins[start:end], self.pos(end), self.depth + 1)
        return inner.run()[:-1]

    def group_as_name(self, start: int, end: int, raw_fallback: bool = False) -> str:
        """The text of {…} as one name part: {in} -> 'in', {\\text{in}} -> 'in', {1} -> '1'."""
        tokens = self.sub_tokens(start, end)
        if tokens and all(t.kind in (NAME, NUM) for t in tokens):
            return "".join(t.text for t in tokens)
        if raw_fallback:  # e.g. x_{t-1}: not a declared name, reported as unknown later
            return "{" + self.s[start:end].replace(" ", "") + "}"
        raise self.fail(f"Expected a name at character {self.pos(start) + 1}.", start)

    def argument_span(self, command: str, digit: bool = False, missing: str = "") -> tuple[int, int]:
        """The argument of an accent, \\text or a script, as TeX reads it: a {…} group, one
        command, or one letter (or digit, for a script: \\sum_i^n, x^2)."""
        self.skip_spaces()
        start, ch = self.i, self.peek()
        if ch == "{":
            return self.group()
        if ch == "\\":
            self.command_word()
            return start, self.i
        if ch.isascii() and (ch.isalpha() or (digit and ch.isdigit())):
            self.i += 1
            return start, self.i
        raise self.fail(missing or f"'\\{command}' needs an argument, e.g. \\{command}{{x}}.", start)

    def argument_as_name(self, command: str) -> str:
        return self.group_as_name(*self.argument_span(command))

    # -- commands
    def command_word(self) -> str:
        """Consume '\\word' or '\\c' (one non-letter); returns word / c."""
        self.i += 1
        start = self.i
        if self.peek().isascii() and self.peek().isalpha():
            while self.peek().isascii() and self.peek().isalpha():
                self.i += 1
        elif self.peek():
            self.i += 1
        else:
            raise self.fail("A lone '\\' ends your answer.", start - 1)
        return self.s[start:self.i]

    def command(self) -> None:
        start = self.i
        word = self.command_word()
        if word in BIG_OPERATORS and (word in ("sum", "prod") or self.subscript_has_equals()):
            self.big_operator(BIG_OPERATORS[word], start)
        elif word in GREEK or word in GREEK_VARIANTS:
            self.skip_spaces()
            self.named(GREEK_VARIANTS.get(word, word), start)
        elif word in _LETTER_COMMANDS:
            self.named(_LETTER_COMMANDS[word], start)
        elif word in FUNCTION_COMMANDS:
            self.named(word, start)
        elif word in _TEXT_COMMANDS:
            self.named(self.argument_as_name(word), start)
        elif word in _ACCENTS:
            head, rest = head_and_rest(self.argument_as_name(word))
            self.named(f"{head}_{_ACCENTS[word]}{rest}", start)
        elif word in _FRACTIONS:
            self.add(CMD, "frac", start)
        elif word == "sqrt" or word in _DELIMITER_COMMANDS:
            self.add(CMD, word, start)
        elif word in _OPERATOR_COMMANDS:
            self.add(OP, _OPERATOR_COMMANDS[word], start)
        elif word in _RELATION_COMMANDS:
            self.add(REL, _RELATION_COMMANDS[word], start)
        elif word in _IGNORED:
            if word in _SIZING:
                self.skip_spaces()
                if self.peek() == ".":  # \left. and \right. are invisible delimiters
                    self.i += 1
        elif word in _UNSUPPORTED:
            raise self.fail(f"'\\{word}' ({_UNSUPPORTED[word]}) is not supported in answers.", start)
        else:
            raise self.fail(f"Unknown LaTeX command '\\{word}' at character {self.pos(start) + 1}.", start)

    # -- sums and products
    def subscript_has_equals(self) -> bool:
        """A '_{…=…}' follows: Σ_{i=1} is a sum, not a symbol Sigma_{i=1}."""
        j = self.i
        while j < len(self.s) and self.s[j] == " ":
            j += 1
        if not self.s.startswith("_", j):
            return False
        j += 1
        while j < len(self.s) and self.s[j] == " ":
            j += 1
        if not self.s.startswith("{", j):
            return False
        saved, self.i = self.i, j
        inner_start, inner_end = self.group()
        self.i = saved
        return "=" in self.s[inner_start:inner_end]

    def big_operator(self, word: str, start: int) -> None:
        """\\sum or \\prod with its scripts, emitted in one order whatever the typed one:
        CMD, '_' '{' lower '}', '^' '{' upper '}'. A script is a {…} group or, as in TeX, one
        character or command (\\sum_i^n)."""
        self.add(CMD, word, start)
        scripts: dict[str, tuple[int, int, int]] = {}
        while True:
            self.skip_spaces()
            limits = _LIMITS.match(self.s, self.i)
            if limits:  # \\sum\\limits_{i=1}^{n} only moves the scripts
                self.i = limits.end()
            elif self.peek() in ("_", "^") and self.peek() not in scripts:
                mark_at = self.i
                self.i += 1
                self.skip_spaces()
                missing = (f"Expected the bounds of the {word} at character {self.pos() + 1}, as in "
                           f"\\{word}_{{i=1}}^{{n}}.")
                scripts[self.s[mark_at]] = (mark_at, *self.argument_span(word, True, missing))
            else:
                break
        for mark in ("_", "^"):
            if mark in scripts:
                mark_at, inner_start, inner_end = scripts[mark]
                if "\\infty" in self.s[inner_start:inner_end]:
                    raise self.fail(f"Only finite sums and products are supported: the bound at "
                                    f"character {self.pos(inner_start) + 1} is infinite. Give the "
                                    "closed form of the series instead.", inner_start)
                self.add(OP, mark, mark_at)
                self.add(OP, "{", inner_start)
                self.out.extend(self.sub_tokens(inner_start, inner_end))
                self.add(OP, "}", inner_end)
