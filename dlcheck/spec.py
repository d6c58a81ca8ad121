"""Exercise specs: one YAML file per exercise, validated into typed models on load.

Validation errors name the file and the dotted field, so an exercise author can fix a spec
without reading engine code. See docs/spec-format.md for the full format.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import msgspec
import yaml
from msgspec import Meta

from .chapters import CHAPTERS
from .errors import SpecError

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
TODO = "TODO"  # what `dlcheck new` leaves in every field the author still has to write

# Value generators for case arguments: generator name -> allowed option names.
# Executed by dlcheck.cases (in the trusted reference process); declared here so that
# a typo in a spec is caught on load, with its file and field.
GENERATORS: dict[str, set[str]] = {
    "randn": {"mean", "std", "dtype"},
    "uniform": {"low", "high", "dtype"},
    "randint": {"low", "high"},
    "bernoulli": {"p", "dtype"},
    "int": set(),
    "float": set(),
    "choice": set(),
    "tensor": {"dtype"},
    "value": set(),
    "linspace": {"dtype"},
    "unit_vector": {"dtype"},
    "callable": {"params", "label"},
    "same_as": set(),
}

RETURN_LEAVES = {"tensor", "int", "float", "bool"}
DOMAINS = (
    "real", "positive", "nonnegative", "negative", "integer", "positive_integer",
    "nonnegative_integer", "unit_interval",
)


# Constrained types: msgspec checks these in C while converting, with the failing path in the error.
Identifier = Annotated[str, Meta(pattern=IDENTIFIER.pattern)]
NonNegative = Annotated[float, Meta(ge=0)]
ArgumentName = Annotated[str, Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]  # X, W_hh: parameters need not be lower case


class _Struct(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


class Mistake(_Struct):
    id: Identifier
    message: str
    # Symbolic exercises give the mistaken expression inline; code exercises implement
    # the mistake as a function named `id` in solutions/<exercise>_mistakes.py.
    expr: str | None = None
    # Other ways of writing the same misconception, each of which is diagnosed as this mistake:
    # further function names in the mistakes module (code) or further expressions (symbolic).
    variants: list[str] = []


class Example(_Struct, kw_only=True):
    """A submission and what grading it must give: checked by `dlcheck validate` and by
    tests/test_examples.py (see docs/spec-format.md, "Examples")."""

    name: str  # unique in the exercise
    code: str | None = None  # a code exercise's submission (the whole file)
    answer: str | None = None  # a symbolic exercise's answer
    status: Literal["pass", "fail", "error"]
    # The known mistake the result must name (a listed mistake id). Absent (or null): the result
    # must name none, so a new mistake that starts to claim this submission is noticed.
    diagnosis: Identifier | None = None
    # Text the result's message must contain: one fragment or a list of fragments, each required.
    message: str | list[str] | None = None

    @property
    def fragments(self) -> list[str]:
        return [self.message] if isinstance(self.message, str) else list(self.message or [])


class EquivalentMutant(_Struct):
    """A mutant of the reference that no input can tell apart from it, and why (see docs/mutants.md)."""

    mutant: str  # the mutant's id, as `dlcheck validate --mutants` prints it
    reason: str


# A dispatcher operator, or an fnmatch pattern over them: 'aten::convolution', 'aten::*conv[0-9_]*'.
OperatorPattern = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_*?\[\]!-]+::[A-Za-z0-9_*?\[\]!-]+$")]


class Rule(_Struct):
    id: Identifier
    message: str
    # Dotted names of APIs the submission may not use, e.g. torch.autograd.grad, torch.Tensor.backward:
    # refused in the source, and trapped by name in the worker (see docs/rules.md).
    forbid: Annotated[list[str], Meta(min_length=1)]
    # Operators whose kernels are replaced in torch's dispatcher, whatever Python path reaches them.
    ops: list[OperatorPattern] = []
    # "forbidden": no gradient from torch (backward engine, forward-mode AD, backward kernels).
    # Unset: forbidden when `forbid` lists torch.autograd.grad, torch.autograd.backward or torch.Tensor.backward.
    autograd: Literal["forbidden", "allowed"] | None = None


class Limits(_Struct):
    # CPU seconds of the worker, per stage (the import, each case) and in all; wall time is only a
    # backstop (time_limits.py).
    case_seconds: Annotated[float, Meta(gt=0, le=600)] = 10.0
    total_seconds: Annotated[float, Meta(gt=0, le=3600)] = 60.0
    memory_mb: Annotated[int, Meta(ge=256)] = 3072


class Tolerance(_Struct):
    rtol: NonNegative | None = None
    atol: NonNegative | None = None


class Compare(_Struct):
    rtol: NonNegative = 1e-7
    atol: NonNegative = 1e-9
    # strict: a tensor must have the expected dtype; any_float: any floating dtype, compared in float64.
    dtype: Literal["strict", "any_float"] = "strict"
    # Per-output overrides keyed by output path (a dict key or tuple index, e.g. "W_hh" or "1").
    outputs: dict[str, Tolerance] = {}
    # Why a float output is compared with rtol = atol = 0, if one is: without a reason `dlcheck
    # validate` refuses it, since a correct answer off by float64 rounding (4e-16) would fail.
    exact_reason: str | None = None


class EdgeCase(_Struct):
    name: str
    dims: dict[str, int] = {}
    args: dict[str, Any] = {}


class Cases(_Struct):
    seed: int = 0
    random: Annotated[int, Meta(ge=0, le=500)] = 0
    dims: dict[str, tuple[int, int]] = {}
    args: dict[str, Any] = {}
    edge: list[EdgeCase] = []
    # Hidden cases, drawn like the random ones but from a seed the student cannot know (reference.py);
    # reported pass/fail without values. Default: as many as `random`, at least 4 (a generator: all
    # of its cases for the hidden seed that differ from the public ones).
    hidden: Annotated[int, Meta(ge=0, le=500)] | None = None
    # Escape hatch for exercises whose cases need logic (e.g. a root bracket on a surface):
    # "function_name" in the exercise's reference module, returning a list of cases.
    generator: str | None = None


class _ExerciseBase(_Struct):
    id: Identifier
    title: str
    chapter: str
    statement: str
    hints: Annotated[list[str], Meta(min_length=1)]
    starter: str
    points: Annotated[int, Meta(ge=1)] = 10
    mistakes: list[Mistake] = []
    examples: list[Example] = []
    # Not open to students yet: left out of `dlcheck list`, watch's next and `grade --all` (validate
    # still proves it). A title still holding the scaffold's TODO marks a draft as well.
    draft: bool = False
    source: Path | None = None  # set by load_spec, not read from YAML

    @property
    def is_draft(self) -> bool:
        return self.draft or TODO in self.title


class CodeExercise(_ExerciseBase, tag="code", tag_field="kind", kw_only=True):
    entry_point: str
    signature: str
    returns: Any
    cases: Cases
    compare: Compare = Compare()
    limits: Limits = Limits()
    rules: list[Rule] = []
    # Arguments the function is meant to update in place. Every other tensor argument must come back
    # exactly as it was passed (values, dtype, shape, requires_grad, .grad): the worker checks.
    modifies: list[ArgumentName] = []
    equivalent_mutants: list[EquivalentMutant] = []

    @property
    def kind(self) -> str:
        return "code"


class Symbol(_Struct):
    latex: list[str] = []
    domain: Literal[DOMAINS] = "real"  # type: ignore[valid-type]
    # Restricts the values the symbol takes (e.g. 0 <= JS <= log 2); otherwise its whole domain is sampled.
    sample: tuple[float, float] | None = None


class SymbolicExercise(_ExerciseBase, tag="symbolic", tag_field="kind", kw_only=True):
    symbols: Annotated[dict[str, Symbol], Meta(min_length=1)]
    # Allowed function names -> known implementation (e.g. sigma: logistic).
    functions: dict[str, str] = {}
    # Quantities defined from the symbols, substituted before comparing (beta_t: "1 - alpha_t").
    derived: dict[str, str] = {}
    # Relations that sampled points must satisfy (e.g. "alpha_bar_t < alpha_t").
    constraints: list[str] = []
    time_budget_seconds: Annotated[float, Meta(gt=0, le=120)] = 8.0

    @property
    def kind(self) -> str:
        return "symbolic"


Exercise = Union[CodeExercise, SymbolicExercise]


def to_data(value: Any, drop: tuple[str, ...] = ()) -> Any:
    """A spec (or part of one) as plain JSON-ready data, for the sandboxed processes."""
    if drop:
        value = msgspec.structs.replace(value, **{name: None for name in drop})
    data = msgspec.to_builtins(value)
    for name in drop:
        data.pop(name, None)
    return data


def _semantic_problems(spec: Exercise) -> list[tuple[str, str]]:
    """Cross-field checks the type system cannot express: (field, message) pairs."""
    problems = []
    if spec.chapter not in CHAPTERS:
        problems.append(("chapter", f"unknown chapter '{spec.chapter}'; expected one of: {', '.join(CHAPTERS)}"))
    seen: set[str] = set()
    for i, mistake in enumerate(spec.mistakes):
        if mistake.id in seen:
            problems.append((f"mistakes[{i}].id", f"'{mistake.id}' appears twice"))
        seen.add(mistake.id)
        if isinstance(spec, SymbolicExercise) and not mistake.expr:
            problems.append((f"mistakes[{i}].expr", "missing (the mistaken expression)"))
        if isinstance(spec, CodeExercise) and mistake.expr is not None:
            problems.append((f"mistakes[{i}].expr", f"only for symbolic exercises; implement the mistake as "
                                                     f"function '{mistake.id}' in solutions/{spec.id}_mistakes.py"))
    problems += _variant_problems(spec)
    if isinstance(spec, CodeExercise):
        problems += _code_problems(spec)
    return problems


def _variant_problems(spec: Exercise) -> list[tuple[str, str]]:
    """A code variant names a function of the mistakes module, which the reference process calls by
    that name next to the mistakes' own: each name must be an identifier and appear once."""
    problems = []
    taken = {m.id for m in spec.mistakes}
    for i, mistake in enumerate(spec.mistakes):
        for j, variant in enumerate(mistake.variants):
            where = f"mistakes[{i}].variants[{j}]"
            if isinstance(spec, SymbolicExercise):
                if not variant.strip() or variant.strip() == (mistake.expr or "").strip():
                    problems.append((where, "expected another expression of this mistake"))
            elif not IDENTIFIER.match(variant):
                problems.append((where, f"'{variant}' is not a function name (lowercase letters, digits, _)"))
            elif variant in taken:
                problems.append((where, f"'{variant}' is already a mistake or a variant; each function is "
                                        f"listed once"))
            else:
                taken.add(variant)
    return problems


def _example_problems(spec: Exercise) -> list[tuple[str, str]]:
    problems = []
    field_name = "code" if isinstance(spec, CodeExercise) else "answer"
    other = "answer" if field_name == "code" else "code"
    mistake_ids = {m.id for m in spec.mistakes}
    names: set[str] = set()
    for i, example in enumerate(spec.examples):
        where = f"examples[{i}]"
        if example.name in names:
            problems.append((f"{where}.name", f"'{example.name}' appears twice"))
        names.add(example.name)
        if getattr(example, field_name) is None:
            problems.append((f"{where}.{field_name}", f"missing (the submission of a {spec.kind} exercise)"))
        if getattr(example, other) is not None:
            problems.append((f"{where}.{other}", f"only for {other == 'code' and 'code' or 'symbolic'} exercises; "
                                                 f"use '{field_name}'"))
        if example.diagnosis is not None and example.diagnosis not in mistake_ids:
            problems.append((f"{where}.diagnosis", f"'{example.diagnosis}' is not one of this exercise's mistakes"))
        if example.diagnosis is not None and example.status == "pass":
            problems.append((f"{where}.diagnosis", "a passing example cannot name a mistake"))
    return problems


def _code_problems(spec: CodeExercise) -> list[tuple[str, str]]:
    problems = []
    cases = spec.cases
    if not cases.generator and cases.random == 0 and not cases.edge:
        problems.append(("cases", "declare edge cases, random cases, or a generator"))
    for name, (lo, hi) in cases.dims.items():
        if lo > hi:
            problems.append((f"cases.dims.{name}", f"lower bound {lo} exceeds upper bound {hi}"))
    checks = [("returns", _check_return_schema, spec.returns)]
    checks += [(f"cases.args.{n}", _check_generator, g) for n, g in cases.args.items()]
    for i, edge in enumerate(cases.edge):
        checks += [(f"cases.edge[{i}].args.{n}", _check_generator, g) for n, g in edge.args.items()]
    rule_ids = [rule.id for rule in spec.rules]
    for i, rule_id in enumerate(rule_ids):
        if rule_id in rule_ids[:i]:
            problems.append((f"rules[{i}].id", f"'{rule_id}' appears twice"))
    for field, check, value in checks:
        try:
            check(value, field)
        except ValueError as exc:
            path, _, message = str(exc).partition(": ")
            problems.append((path, message))
    return problems + _modifies_problems(spec)


def _modifies_problems(spec: CodeExercise) -> list[tuple[str, str]]:
    """Each name in `modifies` must be a parameter of the entry point (as its signature declares it)."""
    if not spec.modifies:
        return []
    parameters = signature_parameters(spec.signature)
    if parameters is None:
        return [("signature", "is not a Python signature such as 'f(x: Tensor) -> Tensor', so the names in "
                              "'modifies' cannot be checked against it")]
    problems = []
    for i, name in enumerate(spec.modifies):
        if name not in parameters:
            problems.append((f"modifies[{i}]", f"'{name}' is not an argument of {spec.entry_point} "
                                               f"(its arguments: {', '.join(parameters)})"))
        elif name in spec.modifies[:i]:
            problems.append((f"modifies[{i}]", f"'{name}' appears twice"))
    return problems


def signature_parameters(signature: str) -> list[str] | None:
    """The parameter names of a signature written as 'name(a: T, b: U) -> R', or None if it is not one."""
    try:
        function = ast.parse(f"def {signature}: pass").body[0]
    except (SyntaxError, ValueError, RecursionError):
        return None
    if not isinstance(function, ast.FunctionDef):
        return None
    arguments = function.args
    return [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]


def _check_return_schema(v: Any, where: str) -> None:
    if isinstance(v, str):
        if v not in RETURN_LEAVES:
            raise ValueError(f"{where}: unknown type '{v}', expected one of {sorted(RETURN_LEAVES)}")
    elif isinstance(v, dict) and len(v) == 1 and "tuple" in v and isinstance(v["tuple"], list):
        for i, item in enumerate(v["tuple"]):
            _check_return_schema(item, f"{where}.tuple[{i}]")
    elif isinstance(v, dict) and len(v) == 1 and "dict" in v and isinstance(v["dict"], dict):
        for key, item in v["dict"].items():
            _check_return_schema(item, f"{where}.dict.{key}")
    else:
        raise ValueError(f"{where}: expected a type name, {{tuple: [...]}} or {{dict: {{...}}}}")


def _check_generator(gen: Any, where: str) -> None:
    if not isinstance(gen, dict):
        raise ValueError(f"{where}: expected a generator mapping such as {{randn: [B, J]}}, got {gen!r}")
    kinds = [k for k in gen if k in GENERATORS]
    if len(kinds) != 1:
        raise ValueError(f"{where}: name exactly one generator out of {sorted(GENERATORS)}")
    kind = kinds[0]
    unknown = set(gen) - {kind} - GENERATORS[kind]
    if unknown:
        raise ValueError(f"{where}: unknown option(s) {sorted(unknown)} for generator '{kind}'")
    if kind == "callable":
        for pname, pgen in (gen.get("params") or {}).items():
            _check_generator(pgen, f"{where}.params.{pname}")


def load_spec(path: Path) -> Exercise:
    """Read and validate one spec file, with its examples from the course's private solutions/
    (see `examples_path`); raises SpecError naming the file and field."""
    raw = read_yaml_mapping(path)
    if raw.get("kind") not in ("code", "symbolic"):
        raise SpecError(path, "kind", "missing or invalid: expected 'code' or 'symbolic'")
    for private in ("source", "examples"):
        if private in raw:
            raise SpecError(path, private, "unknown field" if private == "source" else
                            f"examples hold solutions, which students must not see: move them to "
                            f"{examples_path(path)}")
    try:
        spec = msgspec.convert(raw, type=Exercise, strict=False)
    except msgspec.ValidationError as exc:
        raise SpecError(path, *split_validation_error(str(exc))) from None
    problems = _semantic_problems(spec)
    if problems:
        raise SpecError(path, *problems[0])
    if spec.id != path.stem:
        raise SpecError(path, "id", f"'{spec.id}' must match the file name '{path.stem}'")
    return msgspec.structs.replace(spec, source=path, examples=_load_examples(spec, examples_path(path)))


def examples_path(spec_path: Path) -> Path:
    """Where an exercise's examples live: solutions/<id>_examples.yaml, beside its reference. They are
    submissions with their grades, passing ones included, so they stay with the private half of the
    course (a student copy holds exercises/ only, and its specs simply have no examples)."""
    return spec_path.parent.parent / "solutions" / f"{spec_path.stem}_examples.yaml"


def _load_examples(spec: Exercise, path: Path) -> list[Example]:
    if not path.is_file():
        return []
    raw = read_yaml_mapping(path)
    unknown = sorted(set(raw) - {"examples"})
    if unknown:
        raise SpecError(path, unknown[0], "unknown field; this file holds only 'examples:'")
    try:
        examples = msgspec.convert(raw.get("examples") or [], type=list[Example], strict=False)
    except msgspec.ValidationError as exc:
        field, message = split_validation_error(str(exc))
        raise SpecError(path, f"examples{field}" if field else "examples", message) from None
    problems = _example_problems(msgspec.structs.replace(spec, examples=examples))
    if problems:
        raise SpecError(path, *problems[0])
    return examples


def read_yaml_mapping(path: Path) -> dict:
    """A YAML file's top-level mapping; SpecError naming the file when it is unreadable or not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(path, None, f"cannot read: {exc.strerror}") from None
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(path, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise SpecError(path, None, "expected a mapping of fields at the top level")
    return raw


def split_validation_error(text: str) -> tuple[str | None, str]:
    """msgspec says "Expected `int`, got `str` - at `$.cases.random`": split into (field, message)."""
    message, sep, where = text.rpartition(" - at `$")
    if not sep:
        message, where = text, ""
    where = where.rstrip("`").lstrip(".")
    for prefix, plain in (("Object missing required field", "missing"), ("Object contains unknown field", "unknown field")):
        if message.startswith(prefix):
            name = message.split("`")[1]
            return (f"{where}.{name}" if where else name), plain
    return where or None, message
