"""The writer behind `dlcheck grade --save-case` (case_export.py): reads one encoded public case on
stdin, writes torch.save's bytes of it on stdout. Run by dlcheck as its own process so that the
grading process need not import torch; it reads only what the grader sends (the reference
process's case data) and runs no student code."""

from __future__ import annotations

import io
import sys
from typing import Any

import msgspec

from .messages import Value
from .wire import CallableRef, torch_value


class CaseToSave(msgspec.Struct):
    function: str
    args: dict[str, Value]
    expected: Value


def saveable(value: Any) -> Any:
    """torch_value's objects, with each callable as a plain recipe that torch.load(weights_only=True) reads."""
    if isinstance(value, CallableRef):
        return {"dlcheck_callable": value.factory, "label": value.label,
                "params": {name: saveable(v) for name, v in value.params.items()}}
    if isinstance(value, list):
        return [saveable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(saveable(v) for v in value)
    if isinstance(value, dict):
        return {k: saveable(v) for k, v in value.items()}
    return value


def main() -> None:
    import torch

    case = msgspec.msgpack.decode(sys.stdin.buffer.read(), type=CaseToSave)
    document = {
        "function": case.function,
        "args": {name: saveable(torch_value(node)) for name, node in case.args.items()},
        "expected": saveable(torch_value(case.expected)),
        "has_expected": case.expected is not None,
    }
    buffer = io.BytesIO()
    torch.save(document, buffer)
    sys.stdout.buffer.write(buffer.getvalue())


if __name__ == "__main__":
    main()
