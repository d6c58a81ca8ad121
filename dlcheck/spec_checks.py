"""Cross-checks of a code exercise's spec against itself and its files, for `dlcheck validate`.

- The arguments the cases pass (in order: they are passed positionally) against the parameters of
  the `signature`, the reference, the starter, and every mistake and variant function. Parameters
  are read from the source with `ast`: the grading process imports no exercise code.
- The reference's output on every case against `returns`, on the decoded wire values.

Each function returns (check name, detail) pairs, one per mismatch, the name starting with the
field; an empty list means all agree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from .catalog import Course
from .compare import describe_type
from .spec import CodeExercise
from .wire import ArrayData, TensorData


@dataclass(frozen=True)
class Parameters:
    names: list[str]  # positional parameters, in order
    required: int  # how many of them have no default
    varargs: bool  # *args: any further positional argument is accepted
    required_keywords: list[str]  # keyword-only parameters without a default: a positional call cannot fill them


# ------------------------------------------------------------ argument names

def case_argument_lists(spec: CodeExercise, generated: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """(field, argument names in the order passed) for `cases.args` and each edge case; for a
    generator, `generated` gives (case name, names) of the cases it returned."""
    if spec.cases.generator:
        first_seen: dict[tuple[str, ...], str] = {}
        for case_name, names in generated:
            first_seen.setdefault(tuple(names), case_name)
        return [(f"cases.generator ({spec.cases.generator}, case '{case}')", list(names))
                for names, case in first_seen.items()]
    base = list(spec.cases.args)
    lists = [("cases.args", base)]
    for i, edge in enumerate(spec.cases.edge):
        extra = [name for name in edge.args if name not in spec.cases.args]
        if extra:  # drawn after the base arguments (cases._draw_args), so they come last
            lists.append((f"cases.edge[{i}].args", base + extra))
    return lists


def parameter_problems(course: Course, spec: CodeExercise, argument_lists: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    functions: list[tuple[str, Parameters | None]] = []
    signature, problem = _signature_parameters(spec)
    if problem:
        problems.append(("signature is a function header", problem))
    functions.append(("the signature", signature))
    reference = course.reference_path(spec)
    functions.append(_function_in(f"the reference ({_relative(course, reference)})", _read(reference), spec.entry_point, problems))
    functions.append(_function_in("the starter", spec.starter, spec.entry_point, problems))
    mistakes_path = course.mistakes_path(spec)
    if mistakes_path is not None:
        source = _read(mistakes_path)
        where = _relative(course, mistakes_path)
        for mistake in spec.mistakes:  # a missing one is reported by validate's own check
            functions.append(_function_in(f"mistake '{mistake.id}' ({where})", source, mistake.id, []))
            for variant in mistake.variants:
                functions.append(_function_in(f"variant '{variant}' of mistake '{mistake.id}' ({where})", source,
                                              variant, []))
    for field, names in argument_lists:
        for what, params in functions:
            if params is not None:
                mismatch = _call_problem(names, params)
                if mismatch:
                    problems.append((f"{field} matches {what}",
                                     f"passes ({', '.join(names)}), it takes ({_show(params)}): {mismatch}"))
    return problems


def _call_problem(names: list[str], params: Parameters) -> str | None:
    """Why calling a function with these parameters positionally with these arguments goes wrong."""
    for position, (given, parameter) in enumerate(zip(names, params.names), start=1):
        if given != parameter:
            return f"argument {position} is '{given}' where the parameter is '{parameter}'"
    if len(names) > len(params.names) and not params.varargs:
        return f"no parameter for {', '.join(repr(n) for n in names[len(params.names):])}"
    if len(names) < params.required:
        return f"no argument for {', '.join(repr(n) for n in params.names[len(names):params.required])}"
    if params.required_keywords:
        return f"keyword-only parameter(s) {', '.join(params.required_keywords)} without a default"
    return None


def _signature_parameters(spec: CodeExercise) -> tuple[Parameters | None, str | None]:
    """The parameters the signature shows the student (its return annotation may be prose)."""
    head = spec.signature.rsplit("->", 1)[0] if "->" in spec.signature else spec.signature
    for text in (spec.signature, head):
        try:
            tree = ast.parse(f"def {text.strip()}: pass")
        except SyntaxError:
            continue
        function = tree.body[0]
        if function.name != spec.entry_point:
            return None, f"names function '{function.name}', but entry_point is '{spec.entry_point}'"
        return _parameters(function.args), None
    return None, "cannot be read as a Python function header such as 'f(x: Tensor, n: int = 1) -> Tensor'"


def _function_in(what: str, source: str, name: str, problems: list[tuple[str, str]]) -> tuple[str, Parameters | None]:
    """The parameters of the top-level function `name` in `source`. A name bound otherwise (an
    assignment such as `mistake = make_mistake(...)`, an import) is not checked: its parameters
    are known only by running the code."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        problems.append((f"{what} can be read", f"not valid Python: {exc.msg} (line {exc.lineno})"))
        return what, None
    bound_otherwise = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return what, _parameters(node.args)
        bound_otherwise = bound_otherwise or name in _bound_names(node)
    if not bound_otherwise:
        problems.append((f"{what} is a function", f"no top-level function '{name}' is defined"))
    return what, None


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, ast.ClassDef):
        return {node.name}
    return set()


def _parameters(args: ast.arguments) -> Parameters:
    positional = [a.arg for a in args.posonlyargs + args.args]
    keywords = [a.arg for a, default in zip(args.kwonlyargs, args.kw_defaults) if default is None]
    return Parameters(positional, len(positional) - len(args.defaults), args.vararg is not None, keywords)


def _show(params: Parameters) -> str:
    return ", ".join(params.names + (["*args"] if params.varargs else []))


def _read(path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""  # reported by the grading checks, which need the file too


def _relative(course: Course, path) -> str:
    try:
        return str(path.relative_to(course.root))
    except ValueError:
        return str(path)


# ------------------------------------------------------------ return schema

def return_problems(schema: Any, outputs: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """The reference's output on each case, (case name, decoded value), against `returns`. A
    problem is reported once, at the first case that shows it, with how many cases share it."""
    seen: dict[tuple[str, str], list[str]] = {}
    for case_name, value in outputs:
        for problem in _schema_problems(schema, value, "returns"):
            seen.setdefault(problem, []).append(case_name)
    return [(f"{field} matches the reference's output",
             f"{detail} (case '{cases[0]}'" + (f" and {len(cases) - 1} more)" if len(cases) > 1 else ")"))
            for (field, detail), cases in seen.items()]


LEAVES = {
    "tensor": lambda v: isinstance(v, TensorData) and not isinstance(v, ArrayData),
    "int": lambda v: type(v) is int,
    "float": lambda v: type(v) is float,
    "bool": lambda v: type(v) is bool,
}


def _schema_problems(schema: Any, value: Any, where: str) -> list[tuple[str, str]]:
    """(field, what differs) for each place where the value does not have the declared type."""
    if isinstance(schema, str):
        return [] if LEAVES[schema](value) else [(where, f"declares {schema}, the reference returned {_type_of(value)}")]
    if "tuple" in schema:
        items = schema["tuple"]
        if not isinstance(value, tuple) or len(value) != len(items):
            got = f"a tuple of {len(value)}" if isinstance(value, tuple) else _type_of(value)
            return [(where, f"declares a tuple of {len(items)}, the reference returned {got}")]
        return [p for i, (item, v) in enumerate(zip(items, value)) for p in _schema_problems(item, v, f"{where}.tuple[{i}]")]
    keys = schema["dict"]
    if not isinstance(value, dict) or set(value) != set(keys):
        got = f"a dict with keys {sorted(map(str, value))}" if isinstance(value, dict) else _type_of(value)
        return [(where, f"declares a dict with keys {sorted(keys)}, the reference returned {got}")]
    return [p for key, item in keys.items() for p in _schema_problems(item, value[key], f"{where}.dict.{key}")]


def _type_of(value: Any) -> str:
    """The value's type without its shape, so one problem on cases of many shapes is reported once."""
    if isinstance(value, TensorData):
        return "numpy.ndarray" if isinstance(value, ArrayData) else "torch.Tensor"
    return describe_type(value)
