"""Mutants of a reference solution: small rewrites of its code that good cases must notice.

`dlcheck validate --mutants` grades every mutant as a submission (dlcheck/mutation.py); a mutant
that passes shows where an exercise's cases are too weak. This module is pure standard library
(ast, difflib): it reads and rewrites source text and never runs it.

A mutant is the reference file with one rewrite (see OPERATORS in docs/mutants.md) in the entry
point or a function it calls, never in the case generators. The rewrite is spliced into the
original text, so the file keeps its comments and the diff shows only what changed; the result is
parsed again and must be exactly the intended tree (else the replacement is parenthesised, else the
whole module is unparsed). Mutants that change nothing, or that another rewrite already produced,
are dropped.

Ids name the function, the operator and the code rewritten, never a line number, so they survive
edits elsewhere in the file: `kl_diag_gaussians:sum_to_mean:per_dim.sum(dim=-1)#1` (#2 is the
second identical piece of code in the same function).
"""

from __future__ import annotations

import ast
import difflib
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterator

CASE_GENERATORS = frozenset({"make_cases"})
KEY_LIMIT = 60  # longer code in an id is cut and completed by a hash of the whole text
DESCRIPTION_LIMIT = 90


@dataclass(frozen=True)
class Mutant:
    id: str
    function: str
    operator: str
    description: str  # what changed, e.g. "`a - b` → `a + b`"
    line: int  # where, for display only (ids never use it)
    source: str  # the whole mutated file
    diff: str  # unified diff against the reference


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of the source by the first candidate text that parses as intended."""

    start: int
    end: int
    texts: tuple[str, ...]
    expression: bool = True  # a whole expression, which may be put in parentheses


@dataclass(frozen=True)
class Change:
    operator: str
    replacement: ast.AST  # the node that takes the rewritten node's place
    edits: tuple[Edit, ...]
    context: str | None = None  # the code the id names, when not the rewritten node itself (a constant's)


# ------------------------------------------------------------------ source text by byte offset


class Source:
    """The module's text, addressed as ast addresses it: line numbers and UTF-8 byte columns."""

    def __init__(self, text: str):
        self.text = text
        self.data = text.encode("utf-8")
        self.starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.starts[node.lineno - 1] + node.col_offset,
                self.starts[node.end_lineno - 1] + node.end_col_offset)

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")

    def replace(self, node: ast.AST, *texts: str) -> Edit:
        start, end = self.span(node)
        return Edit(start, end, texts)

    def token(self, before: ast.AST, after: ast.AST, symbol: str, new: str) -> Edit:
        """The operator token between two operands (the gap holds only it, brackets, blanks, comments)."""
        start, end = self.span(before)[1], self.span(after)[0]
        position = _find_token(self.data[start:end], symbol.encode())
        return Edit(start + position, start + position + len(symbol), (new,), expression=False)

    def rename(self, func: ast.AST, new: str) -> Edit:
        """A called name: the attribute of `x.sum` (the last bytes of its span) or a bare name."""
        start, end = self.span(func)
        if isinstance(func, ast.Attribute):
            start = end - len(func.attr.encode("utf-8"))
        return Edit(start, end, (new,), expression=False)

    def apply(self, edits: tuple[Edit, ...], choice: int, parenthesise: bool) -> str:
        data = self.data
        for edit in sorted(edits, key=lambda e: e.start, reverse=True):
            text = edit.texts[min(choice, len(edit.texts) - 1)]
            if parenthesise and edit.expression:
                text = f"({text})"
            data = data[:edit.start] + text.encode("utf-8") + data[edit.end:]
        return data.decode("utf-8")


def _find_token(gap: bytes, symbol: bytes) -> int:
    code = bytearray(gap)
    in_comment = False
    for i, byte in enumerate(gap):  # blank out comments, which may hold any symbol
        in_comment = (in_comment or byte == ord("#")) and byte != ord("\n")
        if in_comment:
            code[i] = ord(" ")
    position = bytes(code).find(symbol)
    if position < 0:
        raise ValueError(f"operator {symbol!r} not found between its operands")
    return position


# ------------------------------------------------------------------ which code is mutated


def target_functions(tree: ast.Module, entry_point: str, exclude: frozenset[str] = frozenset()) -> list[ast.FunctionDef]:
    """The entry point and every module-level function it reaches by name, in that order; never the
    case generators (`make_cases`, a spec's `cases.generator`), which only the reference process runs."""
    defined = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if entry_point not in defined:
        raise ValueError(f"the reference defines no function '{entry_point}' at module level")
    skip = CASE_GENERATORS | exclude
    found: list[ast.FunctionDef] = []
    queue = [entry_point]
    while queue:
        name = queue.pop(0)
        if name in skip or name not in defined or defined[name] in found:
            continue
        found.append(defined[name])
        queue += [n.id for n in ast.walk(defined[name]) if isinstance(n, ast.Name) and n.id in defined]
    return found


# Nothing inside these can change a result: exception messages, f-strings, asserts, annotations.
UNMUTATED_NODES = (ast.Raise, ast.Assert, ast.JoinedStr, ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)
UNMUTATED_FIELDS = frozenset({"decorator_list", "returns", "annotation", "type_comment", "type_params"})


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function in source order, outer before inner."""
    if isinstance(node, UNMUTATED_NODES):
        return
    yield node
    for name, value in ast.iter_fields(node):
        if name in UNMUTATED_FIELDS:
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, ast.AST):
                yield from _walk(child)


# ------------------------------------------------------------------ operators

BINOPS = {ast.Add: ("add", "+"), ast.Sub: ("sub", "-"), ast.Mult: ("mul", "*"), ast.Div: ("div", "/"),
          ast.FloorDiv: ("floordiv", "//"), ast.Mod: ("mod", "%"), ast.Pow: ("pow", "**"),
          ast.MatMult: ("matmul", "@")}
BINOP_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
               ast.FloorDiv: [ast.Div], ast.Mod: [ast.FloorDiv], ast.Pow: [ast.Mult], ast.MatMult: [ast.Mult]}
COMPARISONS = {ast.Lt: ("lt", "<"), ast.LtE: ("le", "<="), ast.Gt: ("gt", ">"), ast.GtE: ("ge", ">="),
               ast.Eq: ("eq", "=="), ast.NotEq: ("ne", "!=")}
COMPARE_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                 ast.NotEq: ast.Eq}
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.MatMult)
# Called names replaced by a near relative: torch functions and tensor methods (x.sum, torch.exp, F.softmax).
CALL_SWAPS = {
    "sum": ["mean"], "mean": ["sum"],
    "max": ["min"], "min": ["max"], "amax": ["amin"], "amin": ["amax"], "maximum": ["minimum"],
    "minimum": ["maximum"], "argmax": ["argmin"], "argmin": ["argmax"], "cummax": ["cummin"], "cummin": ["cummax"],
    "exp": ["log", "expm1"], "log": ["exp", "log1p"], "log1p": ["log"], "expm1": ["exp"],
    "sin": ["cos"], "cos": ["sin"], "sigmoid": ["tanh"], "tanh": ["sigmoid"],
    "softmax": ["log_softmax"], "log_softmax": ["softmax"],
}
BUILTIN_SWAPS = {"max": ["min"], "min": ["max"]}  # bare names: only builtins that exist either way
SIGN_BLIND_CALLS = frozenset({"abs", "square", "norm", "vector_norm"})  # f(a − b) = f(b − a)
DROPPED_CALLS = frozenset({"sqrt", "abs", "square"})  # sqrt(x) → x
TRANSPOSES = frozenset({"t", "transpose", "swapaxes", "swapdims", "permute"})
TRANSPOSE_ATTRIBUTES = frozenset({"T", "mT", "H", "mH"})
# Reductions and friends whose dimension may be given positionally: x.sum(-1), torch.sum(x, -1).
DIM_FUNCTIONS = frozenset({"sum", "mean", "prod", "softmax", "log_softmax", "cumsum", "cumprod", "logsumexp",
                           "amax", "amin", "argmax", "argmin", "max", "min", "std", "var", "unsqueeze", "squeeze",
                           "cat", "stack", "concat", "concatenate"})
DIM_KEYWORDS = frozenset({"dim", "axis"})
KEEPDIM_KEYWORDS = frozenset({"keepdim", "keepdims"})
MODULE_ROOTS = frozenset({"torch", "F", "math", "np", "numpy"})  # torch.sum(x): a function, not a method
# Calls whose two arguments may be swapped without changing anything: never a useful mutant.
SYMMETRIC_CALLS = frozenset({"max", "min", "maximum", "minimum", "add", "mul", "multiply", "hypot", "logaddexp",
                             "eq", "ne", "dot", "inner", "fmax", "fmin", "isclose", "allclose", "equal",
                             "transpose", "swapaxes", "swapdims"})


def _binop_swap(src: Source, node: ast.AST) -> Iterator[Change]:
    if isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
        old, symbol = BINOPS[type(node.op)]
        for new_type in BINOP_SWAPS[type(node.op)]:
            new, new_symbol = BINOPS[new_type]
            yield Change(f"{old}_to_{new}", ast.BinOp(node.left, new_type(), node.right),
                         (src.token(node.left, node.right, symbol, new_symbol),))
    elif isinstance(node, ast.AugAssign) and type(node.op) in BINOP_SWAPS:
        old, symbol = BINOPS[type(node.op)]
        for new_type in BINOP_SWAPS[type(node.op)]:
            new, new_symbol = BINOPS[new_type]
            yield Change(f"{old}_to_{new}", ast.AugAssign(node.target, new_type(), node.value),
                         (src.token(node.target, node.value, symbol + "=", new_symbol + "="),))


def _compare_swap(src: Source, node: ast.AST) -> Iterator[Change]:
    if not isinstance(node, ast.Compare):
        return
    operands = [node.left, *node.comparators]
    for i, op in enumerate(node.ops):
        if type(op) not in COMPARE_SWAPS:
            continue
        new_type = COMPARE_SWAPS[type(op)]
        (old, symbol), (new, new_symbol) = COMPARISONS[type(op)], COMPARISONS[new_type]
        ops = [*node.ops[:i], new_type(), *node.ops[i + 1:]]
        yield Change(f"{old}_to_{new}", ast.Compare(node.left, ops, node.comparators),
                     (src.token(operands[i], operands[i + 1], symbol, new_symbol),))


def _boolop_swap(src: Source, node: ast.AST) -> Iterator[Change]:
    if isinstance(node, ast.BoolOp):
        old, new, new_type = ("and", "or", ast.Or) if isinstance(node.op, ast.And) else ("or", "and", ast.And)
        edits = tuple(src.token(a, b, old, new) for a, b in zip(node.values, node.values[1:]))
        yield Change(f"{old}_to_{new}", ast.BoolOp(new_type(), node.values), edits)


def _dropped_operand(src: Source, node: ast.AST) -> Iterator[Change]:
    """a + b → a, → b; a − b → a, → −b; a · b → a, → b; a / b → a."""
    if not isinstance(node, ast.BinOp):
        return
    left, right = node.left, node.right
    if isinstance(node.op, (ast.Add, ast.Sub)):
        yield Change("drop_right_term", left, (src.replace(node, src.segment(left)),))
        if isinstance(node.op, ast.Add):
            yield Change("drop_left_term", right, (src.replace(node, src.segment(right)),))
        else:
            text = src.segment(right)
            yield Change("drop_left_term", ast.UnaryOp(ast.USub(), right), (src.replace(node, f"-{text}", f"-({text})"),))
    elif isinstance(node.op, ast.Mult):
        yield Change("drop_right_factor", left, (src.replace(node, src.segment(left)),))
        yield Change("drop_left_factor", right, (src.replace(node, src.segment(right)),))
    elif isinstance(node.op, ast.Div):
        yield Change("drop_divisor", left, (src.replace(node, src.segment(left)),))


def _swapped_operands(src: Source, node: ast.AST, parents: dict) -> Iterator[Change]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, NON_COMMUTATIVE) and not _sign_blind(node, parents):
        yield Change("swap_operands", ast.BinOp(node.right, node.op, node.left),
                     (src.replace(node.left, src.segment(node.right)), src.replace(node.right, src.segment(node.left))))


def _sign_blind(node: ast.AST, parents: dict) -> bool:
    """A difference whose sign cannot matter: squared (`(a − b) ** 2`) or under abs/square/norm, where
    a − b and b − a give exactly the same floats (IEEE subtraction rounds symmetrically)."""
    if not isinstance(node.op, ast.Sub):
        return False
    parent = parents.get(node)
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Pow) and parent.left is node:
        exponent = _int_literal(parent.right)
        return exponent is not None and exponent % 2 == 0
    if isinstance(parent, ast.Attribute) and isinstance(parents.get(parent), ast.Call):
        return parent.attr in SIGN_BLIND_CALLS and parents[parent].func is parent
    return isinstance(parent, ast.Call) and _called_name(parent) in SIGN_BLIND_CALLS and parent.args[:1] == [node]


def _dropped_unary(src: Source, node: ast.AST) -> Iterator[Change]:
    if not isinstance(node, ast.UnaryOp) or _int_literal(node) is not None:  # literals: see _int_plus_minus
        return
    names = {ast.USub: "drop_neg", ast.Not: "drop_not", ast.Invert: "drop_invert"}
    if type(node.op) in names:
        yield Change(names[type(node.op)], node.operand, (src.replace(node, src.segment(node.operand)),))


def _int_plus_minus(src: Source, node: ast.AST, parents: dict) -> Iterator[Change]:
    value = _int_literal(node)
    parent = parents.get(node)
    if value is None or (isinstance(node, ast.Constant) and _int_literal(parent) is not None):
        return  # not an int, or the 1 of a literal -1 (rewritten as a whole)
    for delta, name in ((1, "int_plus_1"), (-1, "int_minus_1")):
        yield Change(name, _int_node(value + delta), (src.replace(node, str(value + delta)),),
                     context=_context(node, parents))


def _slice_bounds(src: Source, node: ast.AST, parents: dict) -> Iterator[Change]:
    if not isinstance(node, ast.Slice):
        return
    for field in ("lower", "upper"):
        bound = getattr(node, field)
        if bound is None or _int_literal(bound) is not None:  # literal bounds: see _int_plus_minus
            continue
        text = src.segment(bound)
        for op, symbol, name in ((ast.Add, "+", "plus_1"), (ast.Sub, "-", "minus_1")):
            moved = ast.BinOp(bound, op(), ast.Constant(1))
            replacement = ast.Slice(**{"lower": node.lower, "upper": node.upper, "step": node.step, field: moved})
            yield Change(f"slice_{field}_{name}", replacement,
                         (src.replace(bound, f"{text} {symbol} 1", f"({text}) {symbol} 1"),),
                         context=_context(node, parents))


def _call_swap(src: Source, node: ast.AST) -> Iterator[Change]:
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Attribute):
        name, alternatives = func.attr, CALL_SWAPS.get(func.attr, [])
    elif isinstance(func, ast.Name):
        name, alternatives = func.id, BUILTIN_SWAPS.get(func.id, [])
    else:
        return
    for new in alternatives:
        new_func = ast.Attribute(func.value, new, ast.Load()) if isinstance(func, ast.Attribute) else ast.Name(new, ast.Load())
        yield Change(f"{name}_to_{new}", ast.Call(new_func, node.args, node.keywords), (src.rename(func, new),))


def _dropped_call(src: Source, node: ast.AST) -> Iterator[Change]:
    """sqrt(x) → x, x.abs() → x; transposes removed: x.T, x.transpose(0, 1), torch.t(x) → x."""
    if isinstance(node, ast.Attribute) and node.attr in TRANSPOSE_ATTRIBUTES and isinstance(node.ctx, ast.Load):
        yield Change("drop_transpose", node.value, (src.replace(node, src.segment(node.value)),))
        return
    if not isinstance(node, ast.Call):
        return
    name = _called_name(node)
    if name in TRANSPOSES:
        operator = "drop_transpose"
    elif name in DROPPED_CALLS:
        operator = f"drop_{name}"
    else:
        return
    if isinstance(node.func, ast.Attribute) and not _is_module_function(node):
        if operator == "drop_transpose" or not node.args:  # x.sqrt() is x; x.sqrt(2) is not an elementwise sqrt
            yield Change(operator, node.func.value, (src.replace(node, src.segment(node.func.value)),))
    elif node.args and not isinstance(node.args[0], ast.Starred) and (operator == "drop_transpose" or len(node.args) == 1):
        yield Change(operator, node.args[0], (src.replace(node, src.segment(node.args[0])),))


def _swapped_arguments(src: Source, node: ast.AST) -> Iterator[Change]:
    if not isinstance(node, ast.Call) or len(node.args) != 2 or _called_name(node) in SYMMETRIC_CALLS:
        return
    a, b = node.args
    if isinstance(a, ast.Starred) or isinstance(b, ast.Starred):
        return
    yield Change("swap_args", ast.Call(node.func, [b, a], node.keywords),
                 (src.replace(a, src.segment(b)), src.replace(b, src.segment(a))))


def _changed_dim(src: Source, node: ast.AST) -> Iterator[Change]:
    """dim=-1 → 0 or −2, dim=0 → −1 or 1, dim=1 → 0, −1 or 2 (keyword, or positional for reductions)."""
    if not isinstance(node, ast.Call):
        return
    for i, keyword in enumerate(node.keywords):
        value = _int_literal(keyword.value)
        if keyword.arg in DIM_KEYWORDS and value is not None:
            for new in _other_dims(value):
                keywords = [*node.keywords[:i], ast.keyword(keyword.arg, _int_node(new)), *node.keywords[i + 1:]]
                yield Change(f"dim_to_{new}", ast.Call(node.func, node.args, keywords),
                             (src.replace(keyword.value, str(new)),))
    if _called_name(node) not in DIM_FUNCTIONS or not isinstance(node.func, ast.Attribute):
        return
    position = 1 if _is_module_function(node) else 0
    if len(node.args) > position and _int_literal(node.args[position]) is not None:
        for new in _other_dims(_int_literal(node.args[position])):
            args = [*node.args[:position], _int_node(new), *node.args[position + 1:]]
            yield Change(f"dim_to_{new}", ast.Call(node.func, args, node.keywords),
                         (src.replace(node.args[position], str(new)),))


def _flipped_keepdim(src: Source, node: ast.AST) -> Iterator[Change]:
    if not isinstance(node, ast.Call):
        return
    for i, keyword in enumerate(node.keywords):
        if keyword.arg in KEEPDIM_KEYWORDS and isinstance(keyword.value, ast.Constant) \
                and isinstance(keyword.value.value, bool):
            flipped = ast.keyword(keyword.arg, ast.Constant(not keyword.value.value))
            keywords = [*node.keywords[:i], flipped, *node.keywords[i + 1:]]
            yield Change("keepdim_flip", ast.Call(node.func, node.args, keywords),
                         (src.replace(keyword.value, str(not keyword.value.value)),))


# In the order they are tried on each node (outer nodes first): when two rewrites give the same
# program, the first one's id names it.
OPERATORS: list[Callable[..., Iterator[Change]]] = [
    _binop_swap, _compare_swap, _boolop_swap, _dropped_operand, _swapped_operands, _dropped_unary,
    _call_swap, _changed_dim, _flipped_keepdim, _dropped_call, _swapped_arguments, _slice_bounds, _int_plus_minus,
]
NEEDS_PARENTS = {_swapped_operands, _slice_bounds, _int_plus_minus}


def _int_literal(node: ast.AST | None) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


def _int_node(value: int) -> ast.AST:
    return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))


def _other_dims(dim: int) -> list[int]:
    options = [0, -1, dim + 1 if dim >= 0 else dim - 1]
    return [d for d in dict.fromkeys(options) if d != dim]


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _is_module_function(node: ast.Call) -> bool:
    """torch.sum(x) or F.softmax(x, 1), as opposed to the method x.sum()."""
    value = node.func.value if isinstance(node.func, ast.Attribute) else None
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name) and value.id in MODULE_ROOTS


def _context(node: ast.AST, parents: dict) -> str:
    """The code an id names for a constant or a slice: its nearest enclosing expression that says
    more than the constant, or `name=default` for a parameter's default value."""
    current, child = parents.get(node), node
    while current is not None and (isinstance(current, (ast.Tuple, ast.List, ast.Slice, ast.Starred, ast.keyword))
                                   or _int_literal(current) is not None):
        current, child = parents.get(current), current
    if isinstance(current, ast.arguments):
        return f"{_parameter_with_default(current, child)}={ast.unparse(child)}"
    if isinstance(current, (ast.expr, ast.stmt)) and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _key(current)
    return _key(node)


def _parameter_with_default(arguments: ast.arguments, default: ast.AST) -> str:
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = list(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults))
    pairs += list(zip(arguments.kwonlyargs, arguments.kw_defaults))
    return next(arg.arg for arg, value in pairs if value is default)


# ------------------------------------------------------------------ building mutants


def generate(source: str, entry_point: str, filename: str = "reference.py",
             exclude: frozenset[str] = frozenset()) -> list[Mutant]:
    """Every distinct mutant of `source` (the file's text) in `entry_point` and the functions it calls."""
    tree = ast.parse(source, filename=filename)
    src = Source(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    seen = {_digest(ast.dump(tree))}
    found = []
    for function in target_functions(tree, entry_point, exclude):
        occurrences: Counter = Counter()
        for node in _walk(function):
            for operator in OPERATORS:
                changes = operator(src, node, parents) if operator in NEEDS_PARENTS else operator(src, node)
                for change in changes:
                    key = change.context or _key(node)
                    occurrences[change.operator, key] += 1  # counted whether or not the mutant is kept: stable
                    mutant_id = f"{function.name}:{change.operator}:{key}#{occurrences[change.operator, key]}"
                    mutant = _realise(src, tree, parents, node, change, mutant_id, function.name, filename, seen)
                    if mutant is not None:
                        found.append(mutant)
    return found


def _realise(src: Source, tree: ast.Module, parents: dict, node: ast.AST, change: Change, mutant_id: str,
             function: str, filename: str, seen: set[str]) -> Mutant | None:
    expected = _dump_with(tree, parents, node, change.replacement)
    digest = _digest(expected)
    if digest in seen:
        return None  # no change at all, or the same program as an earlier mutant
    seen.add(digest)
    text = _spliced(src, change.edits, expected)
    if text is None:
        replacement_tree = ast.parse(src.text)  # a splice that cannot be made exact: the whole module, unparsed
        text = ast.unparse(_with_replacement(replacement_tree, tree, node, change.replacement)) + "\n"
    try:
        compile(text, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    before, after = ast.unparse(node), ast.unparse(change.replacement)
    where = f" in `{_shorten(change.context)}`" if change.context else ""
    diff = "".join(difflib.unified_diff(src.text.splitlines(keepends=True), text.splitlines(keepends=True),
                                        fromfile=filename, tofile=f"{filename} (mutant)", n=1))
    return Mutant(mutant_id, function, change.operator, f"`{_shorten(before)}` → `{_shorten(after)}`{where}",
                  node.lineno, text, diff)


def _spliced(src: Source, edits: tuple[Edit, ...], expected: str) -> str | None:
    """The original text with the edits made, in the first form that parses to exactly `expected`."""
    choices = max(len(edit.texts) for edit in edits)
    for choice in range(choices):
        for parenthesise in (False, True):
            text = src.apply(edits, choice, parenthesise)
            try:
                if ast.dump(ast.parse(text)) == expected:
                    return text
            except (SyntaxError, ValueError):
                continue
    return None


def _dump_with(tree: ast.Module, parents: dict, node: ast.AST, replacement: ast.AST) -> str:
    """ast.dump of the tree with `node` replaced, the tree itself left as it was."""
    parent = parents[node]
    for name, value in ast.iter_fields(parent):
        if value is node:
            setattr(parent, name, replacement)
            try:
                return ast.dump(tree)
            finally:
                setattr(parent, name, node)
        if isinstance(value, list) and any(item is node for item in value):
            index = next(i for i, item in enumerate(value) if item is node)
            value[index] = replacement
            try:
                return ast.dump(tree)
            finally:
                value[index] = node
    raise ValueError("node not found under its parent")


def _with_replacement(copy: ast.Module, tree: ast.Module, node: ast.AST, replacement: ast.AST) -> ast.Module:
    """In `copy` (a fresh parse of the same text), the node at `node`'s place replaced."""
    position = next(i for i, n in enumerate(ast.walk(tree)) if n is node)
    target = next(n for i, n in enumerate(ast.walk(copy)) if i == position)
    copy_parents = {child: parent for parent in ast.walk(copy) for child in ast.iter_child_nodes(parent)}
    parent = copy_parents[target]
    for name, value in ast.iter_fields(parent):
        if value is target:
            setattr(parent, name, replacement)
        elif isinstance(value, list):
            setattr(parent, name, [replacement if item is target else item for item in value])
    return copy


def _key(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    if len(text) <= KEY_LIMIT:
        return text
    return f"{text[:KEY_LIMIT - 12]}…{_digest(text)[:8]}"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_LIMIT else text[:DESCRIPTION_LIMIT - 1] + "…"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
