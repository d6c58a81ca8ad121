"""Exercise specs: one YAML file per exercise, validated into typed models on load.

Validation errors name the file and the dotted field, so an exercise author can fix a spec
without reading engine code. See docs/spec-format.md for the full format.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import SpecError

# Chapters of the course notes, in syllabus order: `list` groups and sorts by this.
CHAPTERS: dict[str, str] = {
    "ml-basics": "ML basics & training",
    "cnn": "CNN",
    "rnn": "RNN",
    "vae": "VAE",
    "autoregressive": "Autoregressive models",
    "gans": "GANs",
    "flows": "Normalizing flows",
    "diffusion": "Diffusion",
    "body-models": "Body models",
    "implicit-surfaces": "Implicit surfaces & NeRF",
    "gaussian-splatting": "Gaussian splatting",
    "appendix": "Appendix & proofs",
}

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mistake(_Model):
    id: str
    message: str
    # Symbolic exercises give the mistaken expression inline; code exercises implement
    # the mistake as a function named `id` in solutions/<exercise>_mistakes.py.
    expr: str | None = None

    @field_validator("id")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if not IDENTIFIER.match(v):
            raise ValueError("must be a lowercase identifier (letters, digits, underscores)")
        return v


class Rule(_Model):
    id: str
    message: str
    # Dotted names of APIs the submission may not use, e.g. torch.autograd.grad, torch.Tensor.backward.
    forbid: list[str] = Field(min_length=1)


class Limits(_Model):
    case_seconds: float = Field(default=10.0, gt=0, le=600)
    total_seconds: float = Field(default=60.0, gt=0, le=3600)
    memory_mb: int = Field(default=3072, ge=256)


class Tolerance(_Model):
    rtol: float | None = Field(default=None, ge=0)
    atol: float | None = Field(default=None, ge=0)


class Compare(_Model):
    rtol: float = Field(default=1e-7, ge=0)
    atol: float = Field(default=1e-9, ge=0)
    # strict: a tensor must have the expected dtype; any_float: any floating dtype, compared in float64.
    dtype: Literal["strict", "any_float"] = "strict"
    # Per-output overrides keyed by output path (a dict key or tuple index, e.g. "W_hh" or "1").
    outputs: dict[str, Tolerance] = {}


class EdgeCase(_Model):
    name: str
    dims: dict[str, int] = {}
    args: dict[str, Any] = {}


class Cases(_Model):
    seed: int = 0
    random: int = Field(default=0, ge=0, le=500)
    dims: dict[str, tuple[int, int]] = {}
    args: dict[str, Any] = {}
    edge: list[EdgeCase] = []
    # Escape hatch for exercises whose cases need logic (e.g. a root bracket on a surface):
    # "function_name" in the exercise's reference module, returning a list of cases.
    generator: str | None = None

    @model_validator(mode="after")
    def _some_cases(self) -> "Cases":
        if not self.generator and self.random == 0 and not self.edge:
            raise ValueError("declare edge cases, random cases, or a generator")
        for name, (lo, hi) in self.dims.items():
            if lo > hi:
                raise ValueError(f"dims.{name}: lower bound {lo} exceeds upper bound {hi}")
        return self


class _ExerciseBase(_Model):
    id: str
    title: str
    chapter: str
    points: int = Field(default=10, ge=1)
    statement: str
    hints: list[str] = Field(min_length=1)
    starter: str
    mistakes: list[Mistake] = []
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("id")
    @classmethod
    def _id_identifier(cls, v: str) -> str:
        if not IDENTIFIER.match(v):
            raise ValueError("must be a lowercase identifier (letters, digits, underscores)")
        return v

    @field_validator("chapter")
    @classmethod
    def _known_chapter(cls, v: str) -> str:
        if v not in CHAPTERS:
            raise ValueError(f"unknown chapter '{v}'; expected one of: {', '.join(CHAPTERS)}")
        return v

    @model_validator(mode="after")
    def _unique_mistakes(self):
        seen = set()
        for m in self.mistakes:
            if m.id in seen:
                raise ValueError(f"mistake id '{m.id}' appears twice")
            seen.add(m.id)
        return self


class CodeExercise(_ExerciseBase):
    kind: Literal["code"]
    entry_point: str
    signature: str
    returns: Any
    cases: Cases
    compare: Compare = Compare()
    limits: Limits = Limits()
    rules: list[Rule] = []

    @field_validator("returns")
    @classmethod
    def _return_schema(cls, v: Any) -> Any:
        _check_return_schema(v, "returns")
        return v

    @model_validator(mode="after")
    def _check_args(self) -> "CodeExercise":
        for name, gen in self.cases.args.items():
            _check_generator(gen, f"cases.args.{name}")
        for i, edge in enumerate(self.cases.edge):
            for name, gen in edge.args.items():
                _check_generator(gen, f"cases.edge[{i}].args.{name}")
        for m in self.mistakes:
            if m.expr is not None:
                raise ValueError(f"mistake '{m.id}': 'expr' is for symbolic exercises; "
                                 f"implement it as a function in solutions/{self.id}_mistakes.py")
        return self


class Symbol(_Model):
    latex: list[str] = []
    domain: Literal[DOMAINS] = "real"  # type: ignore[valid-type]
    # Numeric check samples from this interval (defaults depend on the domain).
    sample: tuple[float, float] | None = None


class SymbolicExercise(_ExerciseBase):
    kind: Literal["symbolic"]
    symbols: dict[str, Symbol] = Field(min_length=1)
    # Allowed function names -> known implementation (e.g. sigma: logistic).
    functions: dict[str, str] = {}
    # Quantities defined from the symbols, substituted before comparing (beta_t: "1 - alpha_t").
    derived: dict[str, str] = {}
    # Relations that sampled points must satisfy (e.g. "alpha_bar_t < alpha_t").
    constraints: list[str] = []
    time_budget_seconds: float = Field(default=8.0, gt=0, le=120)

    @model_validator(mode="after")
    def _mistakes_have_expr(self) -> "SymbolicExercise":
        for m in self.mistakes:
            if not m.expr:
                raise ValueError(f"mistake '{m.id}' needs an 'expr' (the mistaken expression)")
        return self


Exercise = Annotated[Union[CodeExercise, SymbolicExercise], Field(discriminator="kind")]


class _Envelope(BaseModel):
    exercise: Exercise


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


def load_spec(path: Path) -> CodeExercise | SymbolicExercise:
    """Read and validate one spec file; raises SpecError naming the file and field."""
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
    if "kind" not in raw:
        raise SpecError(path, "kind", "missing (code or symbolic)")
    try:
        spec = _Envelope.model_validate({"exercise": raw}).exercise
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"][1:] if p not in ("code", "symbolic")]
        field = ".".join(loc) or None
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        raise SpecError(path, field, msg) from None
    if spec.id != path.stem:
        raise SpecError(path, "id", f"'{spec.id}' must match the file name '{path.stem}'")
    return spec.model_copy(update={"source": path})
