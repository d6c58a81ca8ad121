"""Rewrites of a reference solution into what students hand in, for scripts/make_class.py.

Harmless variations keep the program: each returns the new text, or None when it cannot be made
safely here, and each checks its own result on the syntax tree (the same program with one thing
added, dropped or renamed), never by running it. Breakages (crashes, an infinite loop) make the
entry point raise, loop, exit or disappear. Pure standard library plus dlcheck.mutants' byte-offset
Source (no torch, no sympy).
"""

from __future__ import annotations

import ast
import functools
import random
import re

from dlcheck.mutants import Source

# ------------------------------------------------------------------ small helpers


@functools.lru_cache(maxsize=2048)
def _tree(text: str) -> ast.Module | None:
    """The module's syntax tree, or None if it does not parse; cached, and never modified by callers."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def entry_function(tree: ast.Module, entry_point: str) -> ast.FunctionDef | None:
    return next((node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.name == entry_point), None)


def _function_lines(function: ast.FunctionDef) -> tuple[int, int]:
    """The 1-based first and last line of a module-level function, decorators included."""
    return min([function.lineno] + [d.lineno for d in function.decorator_list]), function.end_lineno


def _parsed_alone(text: str, first: int, last: int) -> ast.FunctionDef | None:
    """Lines first..last of the text (a module-level function) parsed on their own: a check of an
    edit made inside a function need not parse the whole module again."""
    tree = _tree("".join(text.splitlines(keepends=True)[first - 1:last]))
    return tree.body[0] if tree and len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef) else None


def _dump(nodes) -> str:
    return "\n".join(ast.dump(node) for node in nodes)


def _insert_lines(text: str, before_line: int, lines: list[str]) -> str:
    """`lines` inserted before 1-based line `before_line`."""
    kept = text.splitlines(keepends=True)
    return "".join(kept[:before_line - 1] + [line + "\n" for line in lines] + kept[before_line - 1:])


def _body_start(text: str, function: ast.FunctionDef) -> tuple[int, str] | None:
    """(line, indentation) of the function's first statement when it starts a line of its own."""
    first = function.body[0]
    line = text.splitlines()[first.lineno - 1]
    if first.lineno == function.lineno or line[:first.col_offset].strip():
        return None
    return first.lineno, line[:first.col_offset]


def insert_at_body_start(text: str, entry_point: str, statements: list[str]) -> str | None:
    """Statements put first in the entry point's body (before its docstring, if any)."""
    tree = _tree(text)
    function = entry_function(tree, entry_point) if tree else None
    start = _body_start(text, function) if function else None
    if start is None:
        return None
    line, indent = start
    new = _insert_lines(text, line, [indent + statement for statement in statements])
    return new if _tree(new) is not None else None


# ------------------------------------------------------------------ harmless variations (code)

HEADER_COMMENTS = ("# My solution.", "# Exercise solution - checked with dlcheck before handing in.",
                   "# Written for the assignment; see the exercise statement.", "# coding: utf-8")
DEF_COMMENTS = ("# main function", "# the function the exercise asks for", "# implementation")
DOCSTRINGS = ("My implementation.", "Computes what the exercise asks for.", "Solution to the exercise.")
NEW_NAMES = ("result", "out", "acc", "tmp", "value", "res", "answer")


# A comment line put before the first line of a module-level statement is never inside a string or
# a bracket, so the two comment variations need no check of their result.

def add_header_comment(text: str, entry_point: str, rng: random.Random) -> str | None:
    lines = text.splitlines(keepends=True)
    skip = 1 if lines and lines[0].startswith("#!") else 0
    return "".join(lines[:skip]) + rng.choice(HEADER_COMMENTS) + "\n" + "".join(lines[skip:])


def add_comment_before_def(text: str, entry_point: str, rng: random.Random) -> str | None:
    tree = _tree(text)
    function = entry_function(tree, entry_point) if tree else None
    if function is None:
        return None
    return _insert_lines(text, _function_lines(function)[0], [rng.choice(DEF_COMMENTS)])


def add_entry_docstring(text: str, entry_point: str, rng: random.Random) -> str | None:
    return _with_docstring(text, entry_point, rng.choice(DOCSTRINGS))


@functools.lru_cache(maxsize=1024)
def _with_docstring(text: str, entry_point: str, docstring: str) -> str | None:
    tree = _tree(text)
    function = entry_function(tree, entry_point) if tree else None
    if function is None or ast.get_docstring(function) is not None:
        return None
    start = _body_start(text, function)
    if start is None:
        return None
    new = _insert_lines(text, start[0], [f'{start[1]}"""{docstring}"""'])
    first, last = _function_lines(function)
    new_function = _parsed_alone(new, first, last + 1)
    if new_function is None or _dump(new_function.body[1:]) != _dump(function.body):
        return None
    return new


def drop_module_docstring(text: str, entry_point: str, rng: random.Random) -> str | None:
    return _without_module_docstring(text)


@functools.lru_cache(maxsize=1024)
def _without_module_docstring(text: str) -> str | None:
    tree = _tree(text)
    if tree is None or len(tree.body) < 2 or ast.get_docstring(tree, clean=False) is None:
        return None
    docstring, following = tree.body[0], tree.body[1]
    if docstring.col_offset or following.lineno <= docstring.end_lineno:
        return None
    lines = text.splitlines(keepends=True)
    rest = lines[docstring.end_lineno:]
    while rest and not rest[0].strip():
        rest.pop(0)
    new = "".join(lines[:docstring.lineno - 1] + rest)  # whole lines: nothing else shares them
    new_tree = _tree(new)
    return new if new_tree is not None and len(new_tree.body) == len(tree.body) - 1 else None


def rename_local(text: str, entry_point: str, rng: random.Random) -> str | None:
    """One local variable of the entry point renamed everywhere it is used."""
    candidates = _renamable_locals(text, entry_point)
    if not candidates:
        return None
    old = rng.choice(candidates)
    free = [name for name in NEW_NAMES + (f"{old}_value", f"my_{old}")
            if not re.search(rf"\b{re.escape(name)}\b", text)]
    return _renamed(text, entry_point, old, rng.choice(free)) if free else None


@functools.lru_cache(maxsize=1024)
def _renamed(text: str, entry_point: str, old: str, new_name: str) -> str | None:
    tree = _tree(text)
    function = entry_function(tree, entry_point)
    src = Source(text)
    data = src.data
    spans = sorted((src.span(node) for node in ast.walk(function) if isinstance(node, ast.Name) and node.id == old),
                   reverse=True)
    for start, end in spans:
        data = data[:start] + new_name.encode() + data[end:]
    new = data.decode("utf-8")  # only the function's bytes changed: comparing it is enough
    new_function = _parsed_alone(new, *_function_lines(function))
    if new_function is None or ast.dump(new_function).replace(f"'{new_name}'", f"'{old}'") != ast.dump(function):
        return None
    return new


@functools.lru_cache(maxsize=1024)
def _renamable_locals(text: str, entry_point: str) -> list[str]:
    """Names assigned in the entry point whose every mention is a plain variable (never an attribute,
    a keyword, a parameter, an f-string's or an `except … as`), so renaming their Name nodes is exact."""
    tree = _tree(text)
    function = entry_function(tree, entry_point) if tree else None
    if function is None:
        return []
    if any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in
           ("locals", "vars", "eval", "exec") for node in ast.walk(function)):
        return []
    stored = {node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    other_mentions: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.JoinedStr):
            other_mentions |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for field, value in ast.iter_fields(node):
            if isinstance(value, str) and not (isinstance(node, ast.Name) and field == "id"):
                other_mentions.add(value)
    other_mentions |= {name for node in ast.walk(tree) if isinstance(node, (ast.Global, ast.Nonlocal))
                       for name in node.names}
    module_names = {target.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
                    for target in ast.walk(node) if isinstance(target, ast.Name)}
    module_names |= {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    module_names |= {(alias.asname or alias.name).split(".")[0] for node in tree.body
                     if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    return sorted(stored - other_mentions - module_names)


# In the order they are made: the ones that parse their input first, on few distinct texts (cached).
CODE_VARIATIONS = {"renamed_local": rename_local, "docstring": add_entry_docstring,
                   "no_module_docstring": drop_module_docstring, "comment_before_def": add_comment_before_def,
                   "header_comment": add_header_comment}


def vary_code(text: str, entry_point: str, rng: random.Random) -> tuple[str, list[str]]:
    """The reference with one to three harmless variations; returns (text, names of those made)."""
    wanted = set(rng.sample(list(CODE_VARIATIONS), rng.randint(1, 3)))
    made = []
    for name, vary in CODE_VARIATIONS.items():
        new = vary(text, entry_point, rng) if name in wanted else None
        if new is not None:
            text, made = new, made + [name]
    if not made:  # none of those applies to this file: a comment always does
        text, made = add_header_comment(text, entry_point, rng), ["header_comment"]
    return text, made


# ------------------------------------------------------------------ harmless variations (symbolic)

SYMBOLIC_COMMENTS = ("# my answer", "# KL / derivation result, see my notes", "# final answer")


def vary_answer(answer: str, rng: random.Random) -> tuple[str, list[str]]:
    """A symbolic answer written differently: `**` for `^`, spaces around + and -, a comment line first."""
    made = []
    if "^" in answer and rng.random() < 0.5:
        answer, made = answer.replace("^", "**"), made + ["double_star_power"]
    if rng.random() < 0.5:
        answer, made = re.sub(r"\s*([+\-])\s*", r" \1 ", answer).strip(), made + ["spaced_operators"]
    if not made or rng.random() < 0.4:
        answer, made = rng.choice(SYMBOLIC_COMMENTS) + "\n" + answer, made + ["comment_line"]
    return answer + "\n", made


# ------------------------------------------------------------------ breakages (code)


def raise_on_some_cases(text: str, entry_point: str, rng: random.Random) -> str | None:
    """The entry point wrapped so that every other call raises, as code that breaks on some inputs.
    The first call raises too, so the verdict is an error however the grader spreads cases over runs."""
    tree = _tree(text)
    function = entry_function(tree, entry_point) if tree else None
    if function is None:
        return None
    error = rng.choice(('IndexError("index 3 is out of bounds for dimension 0 with size 3")',
                        'RuntimeError("The size of tensor a (4) must match the size of tensor b (3)")',
                        'ValueError("unexpected input")', 'ZeroDivisionError("division by zero")'))
    call = ", ".join([a.arg for a in function.args.posonlyargs + function.args.args]
                     + ([f"*{function.args.vararg.arg}"] if function.args.vararg else [])
                     + [f"{a.arg}={a.arg}" for a in function.args.kwonlyargs]
                     + ([f"**{function.args.kwarg.arg}"] if function.args.kwarg else []))
    wrapper = (f"\n\n_working_version = {entry_point}\n_calls = [0]\n\n\n"
               f"def {entry_point}({ast.unparse(function.args)}):\n"
               f"    _calls[0] += 1\n"
               f"    if _calls[0] % 2 == 1:\n"
               f"        raise {error}\n"
               f"    return _working_version({call})\n")
    new = text.rstrip("\n") + "\n" + wrapper
    return new if _tree(new) is not None else None


def syntax_error(text: str, entry_point: str, rng: random.Random) -> str | None:
    """The colon of the entry point's header dropped (else an unclosed bracket at the end)."""
    tree = _tree(text)
    function = entry_function(tree, entry_point) if tree else None
    lines = text.splitlines(keepends=True)
    if function is not None and _body_start(text, function):
        header_end = function.body[0].lineno - 2
        while header_end > 0 and (not lines[header_end].strip() or lines[header_end].lstrip().startswith("#")):
            header_end -= 1
        line = lines[header_end].rstrip("\n")
        if line.rstrip().endswith(":") and "#" not in line:
            lines[header_end] = line.rstrip()[:-1] + "\n"
    new = "".join(lines)
    if _tree(new) is not None:
        new = text.rstrip("\n") + "\n\nresult = (1 +\n"
    return new if _tree(new) is None else None


def missing_function(text: str, entry_point: str, rng: random.Random) -> str | None:
    """The entry point defined under another name (a typo, another case, a suffix)."""
    tree = _tree(text)
    function = entry_function(tree, entry_point) if tree else None
    if function is None:
        return None
    parts = entry_point.split("_")
    typos = [entry_point[:-1], parts[0] + "".join(p.capitalize() for p in parts[1:]), f"{entry_point}_v2",
             f"my_{entry_point}"]
    typo = rng.choice([t for t in typos if t and t != entry_point])
    lines = text.splitlines(keepends=True)
    lines[function.lineno - 1] = re.sub(rf"\bdef\s+{re.escape(entry_point)}\b", f"def {typo}",
                                        lines[function.lineno - 1], count=1)
    new = "".join(lines)
    new_tree = _tree(new)
    if new_tree is None or entry_point in {n.id for n in ast.walk(new_tree) if isinstance(n, ast.Name)
                                           and isinstance(n.ctx, ast.Store)} | _defined(new_tree):
        return None
    return new


def _defined(tree: ast.Module) -> set[str]:
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def os_exit(text: str, entry_point: str, rng: random.Random) -> str | None:
    """`import os; os._exit(1)` as the entry point's first statement."""
    return insert_at_body_start(text, entry_point, ["import os", "os._exit(1)"])


def infinite_loop(text: str, entry_point: str, rng: random.Random) -> str | None:
    """A loop whose counter is never advanced, first thing in the entry point."""
    return insert_at_body_start(text, entry_point, ["steps = 0", "while steps < 10:", "    pass  # forgot steps += 1"])


CRASHES = {"raises_on_some_cases": raise_on_some_cases, "syntax_error": syntax_error,
           "missing_function": missing_function, "os_exit": os_exit}

# What each breakage is graded as: an exception, a syntax error and a missing function are errors;
# os._exit is an error too, or a fail where the exercise has rules (the scan refuses private APIs).
CRASH_STATUSES = {"raises_on_some_cases": ["error"], "syntax_error": ["error"], "missing_function": ["error"],
                  "os_exit": ["error", "fail"]}


# ------------------------------------------------------------------ breakages and wrong answers (symbolic)

SYMBOLIC_CRASHES = {"truncated": lambda answer: answer + " +", "unbalanced": lambda answer: f"({answer}",
                    "unknown_function": lambda answer: f"logg({answer})"}
# Wrong answers that are no known mistake of any exercise of this course (checked by grading each
# exercise's reference so perturbed: none is diagnosed, none passes).
NOVEL_ANSWERS = ("({r}) + 1", "({r})^2", "3*({r})/2")
