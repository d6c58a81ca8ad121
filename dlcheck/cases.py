"""Case generation: turns a spec's `cases` section into concrete, seeded arguments.

Runs in the trusted reference process (it needs torch). Every case gets its own generator seeded
from (spec seed, case index, attempt), so cases are identical across runs and machines, and a
rejected random case (the reference raised InvalidCase) is redrawn without shifting the others.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import torch

from .errors import GraderFault
from .wire import CallableRef

_DTYPES = {"float64": torch.float64, "float32": torch.float32, "int64": torch.int64}


@dataclass
class Case:
    name: str
    args: dict[str, Any]  # ordered as the function's parameters


class _Draw:
    """The random state and dimension sizes of one case."""

    def __init__(self, seed: int, dims: dict[str, int]):
        self.torch = torch.Generator().manual_seed(seed)
        self.py = random.Random(seed)
        self.dims = dims

    def size(self, entry: Any) -> int:
        if isinstance(entry, int):
            return entry
        if isinstance(entry, str) and entry in self.dims:
            return self.dims[entry]
        raise GraderFault(f"shape entry {entry!r} is neither an integer nor a declared dim")

    def shape(self, spec: Any) -> tuple[int, ...]:
        if isinstance(spec, (int, str)):
            return (self.size(spec),)
        return tuple(self.size(e) for e in spec)


def case_seed(seed: int, index: int, attempt: int) -> int:
    return (seed * 1_000_003 + index * 7_919 + attempt * 104_729) % (2**63)


def draw_case(cases: dict, index: int, attempt: int) -> Case:
    """Case `index` of the spec: edge cases first (in order), then the random ones."""
    edges = cases.get("edge", [])
    seed = case_seed(cases.get("seed", 0), index, attempt)
    rng = random.Random(seed)
    if index < len(edges):
        edge = edges[index]
        dims = _draw_dims(cases.get("dims", {}), rng, fixed=edge.get("dims", {}))
        draw = _Draw(seed, dims)
        args = _draw_args(cases.get("args", {}), draw, overrides=edge.get("args", {}))
        return Case(edge["name"], args)
    dims = _draw_dims(cases.get("dims", {}), rng, fixed={})
    draw = _Draw(seed, dims)
    number = index - len(edges) + 1
    label = ", ".join(f"{k}={v}" for k, v in dims.items())
    return Case(f"random #{number}" + (f" ({label})" if label else ""), _draw_args(cases.get("args", {}), draw, {}))


def case_count(cases: dict) -> int:
    return len(cases.get("edge", [])) + int(cases.get("random", 0))


def _draw_dims(ranges: dict, rng: random.Random, fixed: dict) -> dict[str, int]:
    dims = {name: rng.randint(lo, hi) for name, (lo, hi) in ranges.items()}
    dims.update(fixed)
    return dims


def _draw_args(base: dict, draw: _Draw, overrides: dict) -> dict[str, Any]:
    names = list(base) + [n for n in overrides if n not in base]
    args: dict[str, Any] = {}
    for name in names:
        gen = overrides.get(name, base.get(name))
        args[name] = generate(gen, draw, args)
    return args


def generate(gen: dict, draw: _Draw, earlier: dict[str, Any]) -> Any:
    """One value from a generator mapping such as {randn: [B, J], std: 2}."""
    kind = next(k for k in gen if k in _GENERATORS)
    return _GENERATORS[kind](gen[kind], gen, draw, earlier)


def _dtype(gen: dict, default: str = "float64") -> torch.dtype:
    return _DTYPES[gen.get("dtype", default)]


def _randn(shape, gen, draw, _):
    t = torch.randn(draw.shape(shape), generator=draw.torch, dtype=torch.float64)
    return (t * gen.get("std", 1.0) + gen.get("mean", 0.0)).to(_dtype(gen))


def _uniform(shape, gen, draw, _):
    low, high = gen.get("low", 0.0), gen.get("high", 1.0)
    t = torch.rand(draw.shape(shape), generator=draw.torch, dtype=torch.float64)
    return (low + (high - low) * t).to(_dtype(gen))


def _randint(shape, gen, draw, _):
    return torch.randint(gen.get("low", 0), gen.get("high", 9) + 1, draw.shape(shape), generator=draw.torch)


def _bernoulli(shape, gen, draw, _):
    t = torch.rand(draw.shape(shape), generator=draw.torch, dtype=torch.float64)
    return (t < gen.get("p", 0.5)).to(_dtype(gen))


def _int(spec, gen, draw, _):
    if isinstance(spec, list):
        return draw.py.randint(draw.size(spec[0]), draw.size(spec[1]))
    return draw.size(spec)


def _float(spec, gen, draw, _):
    if isinstance(spec, list):
        return draw.py.uniform(float(spec[0]), float(spec[1]))
    return float(spec)


def _choice(options, gen, draw, _):
    return draw.py.choice(options)


def _tensor(literal, gen, draw, _):
    return torch.tensor(literal, dtype=_dtype(gen))


def _value(literal, gen, draw, _):
    return literal


def _linspace(spec, gen, draw, _):
    start, end, steps = spec
    return torch.linspace(float(start), float(end), draw.size(steps), dtype=_dtype(gen))


def _unit_vector(n, gen, draw, _):
    v = torch.randn(draw.size(n), generator=draw.torch, dtype=torch.float64)
    return (v / v.norm()).to(_dtype(gen))


def _callable(factory, gen, draw, earlier):
    params = {name: generate(pgen, draw, earlier) for name, pgen in (gen.get("params") or {}).items()}
    return CallableRef(factory=factory, params=params, label=gen.get("label", factory))


def _same_as(name, gen, draw, earlier):
    if name not in earlier:
        raise GraderFault(f"same_as: '{name}' must be declared before the argument that copies it")
    value = earlier[name]
    return value.clone() if isinstance(value, torch.Tensor) else value


_GENERATORS = {
    "randn": _randn, "uniform": _uniform, "randint": _randint, "bernoulli": _bernoulli,
    "int": _int, "float": _float, "choice": _choice, "tensor": _tensor, "value": _value,
    "linspace": _linspace, "unit_vector": _unit_vector, "callable": _callable, "same_as": _same_as,
}
