"""Exercise rules (forbidden APIs), enforced in two layers.

1. `scan_source` (grading process): reads the submission's syntax tree, without running it, and
   finds uses of forbidden names. The submission cannot interfere with this layer.
2. `install_traps` (worker, before the submission is imported): replaces each forbidden API with a
   stub that reports the violation to the grader and raises, catching uses the scan cannot see
   (aliases, getattr).
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Violation:
    rule: str
    api: str
    line: int | None
    message: str


class ForbiddenAPI(BaseException):
    """Raised by a trapped API. A BaseException, so `except Exception` in a submission won't hide it."""


# ---------------------------------------------------------------- static layer (grader)

def scan_source(tree: ast.AST, rules: list[dict]) -> list[Violation]:
    chains = list(_dotted_chains(tree))
    found = []
    for rule in rules:
        for api in rule["forbid"]:
            for chain, line in chains:
                if _matches(chain, api):
                    found.append(Violation(rule["id"], api, line, rule["message"]))
                    break
    return found


def _matches(chain: str, api: str) -> bool:
    parts = api.split(".")
    if chain == api or chain.startswith(api + "."):
        return True
    if len(parts) >= 3 and parts[-2][:1].isupper():  # a method (torch.Tensor.backward): any x.backward
        return chain.endswith("." + parts[-1])
    if len(parts) >= 3:  # from torch import autograd; autograd.grad(...)
        tail = ".".join(parts[1:])
        return chain == tail or chain.endswith("." + tail) or chain.startswith(tail + ".")
    return False


def _dotted_chains(tree: ast.AST):
    """Every dotted name the source uses, with import aliases expanded (F.conv2d -> torch.nn.functional.conv2d)."""
    aliases = _import_aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = _attribute_chain(node)
            head, _, rest = chain.partition(".")
            yield chain, node.lineno
            if head in aliases:
                yield f"{aliases[head]}.{rest}", node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def _import_aliases(tree: ast.AST) -> dict[str, str]:
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _attribute_chain(node: ast.Attribute) -> str:
    parts = []
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    parts.append(current.id if isinstance(current, ast.Name) else "?")
    return ".".join(reversed(parts))


# ---------------------------------------------------------------- runtime layer (worker)

def install_traps(rules: list[dict], report: Callable[[str, str], None]) -> None:
    for rule in rules:
        for api in rule["forbid"]:
            _trap(api, rule["id"], report)


def _trap(api: str, rule_id: str, report: Callable[[str, str], None]) -> None:
    parent_name, _, attr = api.rpartition(".")
    parent = _resolve(parent_name)
    if parent is None or not hasattr(parent, attr):
        return  # this torch version lacks it: nothing to forbid

    def refuse(*_args, **_kwargs):
        report(rule_id, api)
        raise ForbiddenAPI(f"{api} is forbidden in this exercise (rule '{rule_id}')")

    if isinstance(getattr(parent, attr), types.ModuleType):
        stub = _ForbiddenModule(api, refuse)
        sys.modules[api] = stub
        setattr(parent, attr, stub)
    else:
        setattr(parent, attr, refuse)


def _resolve(dotted: str):
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        if not hasattr(obj, part):
            try:
                importlib.import_module(".".join(parts[: i + 1]))
            except ImportError:
                return None
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class _ForbiddenModule(types.ModuleType):
    def __init__(self, name: str, refuse: Callable):
        super().__init__(name)
        object.__setattr__(self, "_refuse", refuse)

    def __getattr__(self, item: str):
        if item.startswith("__"):
            raise AttributeError(item)
        self._refuse()
