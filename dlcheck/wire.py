"""The data format spoken between the grader and its sandboxed processes.

JSON with tagged nodes, tensors as base64 buffers. Decoding JSON cannot execute code (unlike
pickle), and `encode` records the *exact* type of every value: a tensor subclass, an object with a
custom `__eq__` or a NumPy object array arrives as an `Unsupported` node, never as a value that
compares equal.

Two decoders exist: `decode_data` (grading process: NumPy arrays, no torch import) and
`decode_torch` (sandboxed processes: real tensors).
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any, Callable

# dtypes that can cross the boundary; anything else (bfloat16, complex, quantized) is reported.
TENSOR_DTYPES = {
    "float64": "<f8", "float32": "<f4", "float16": "<f2",
    "int64": "<i8", "int32": "<i4", "int16": "<i2", "int8": "i1", "uint8": "u1", "bool": "?",
}
NUMPY_SCALARS = TENSOR_DTYPES  # NumPy scalar dtypes share the names
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32
MAX_INT_BITS = 4096


class WireError(ValueError):
    """A message that is not well-formed wire data."""


@dataclass(frozen=True)
class TensorData:
    """A tensor as seen by the grading process: its dtype name, shape and values."""

    dtype: str
    shape: tuple[int, ...]
    array: Any  # numpy.ndarray

    @property
    def numel(self) -> int:
        return int(self.array.size)


@dataclass(frozen=True)
class ArrayData(TensorData):
    """A NumPy array (not a tensor): kept distinct so the type check can name it."""


@dataclass(frozen=True)
class NumpyScalar:
    dtype: str
    value: int | float | bool


@dataclass(frozen=True)
class CallableRef:
    """A callable handed to the student (noise model, surface), rebuilt from its factory in each process."""

    factory: str
    params: dict
    label: str


@dataclass(frozen=True)
class Unsupported:
    """A value whose type cannot cross the boundary as data; `type_name` says what it was."""

    type_name: str
    detail: str = ""


# ---------------------------------------------------------------- encoding (torch side)

def encode(value: Any, depth: int = 0) -> Any:
    """Turn a value into JSON-ready data, recording exact types. Runs in sandboxed processes."""
    if depth > MAX_DEPTH:
        return {"__t": "unsupported", "type": "nesting", "detail": f"nested deeper than {MAX_DEPTH} levels"}
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        if value.bit_length() > MAX_INT_BITS:
            return {"__t": "unsupported", "type": "int", "detail": "integer too large"}
        return value
    if kind is float:
        return value if math.isfinite(value) else {"__t": "float", "value": repr(value)}
    if kind is tuple:
        return {"__t": "tuple", "items": [encode(v, depth + 1) for v in value]}
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is dict:
        return {"__t": "dict", "items": [[_encode_key(k), encode(v, depth + 1)] for k, v in value.items()]}
    if kind is CallableRef:
        return {"__t": "callable", "factory": value.factory, "params": encode(value.params, depth + 1),
                "label": value.label}
    return _encode_array_like(value, kind)


def _encode_key(key: Any) -> Any:
    if type(key) in (str, int):
        return key
    return {"__t": "unsupported", "type": _type_name(type(key)), "detail": "dict key"}


def _encode_array_like(value: Any, kind: type) -> Any:
    module = kind.__module__ or ""
    if module.startswith("torch"):
        import torch

        if kind is torch.Tensor:
            return _encode_tensor(value)
    if module == "numpy":
        import numpy as np

        if kind is np.ndarray:
            return _encode_ndarray(value)
        if isinstance(value, np.generic) and value.dtype.name in NUMPY_SCALARS:
            return {"__t": "npscalar", "dtype": value.dtype.name, "value": value.item()
                    if not isinstance(value, np.floating) or math.isfinite(value) else repr(float(value))}
    return {"__t": "unsupported", "type": _type_name(kind)}


def _encode_tensor(t: Any) -> Any:
    import torch

    dtype = str(t.dtype).removeprefix("torch.")
    if dtype not in TENSOR_DTYPES:
        return {"__t": "unsupported", "type": "torch.Tensor", "detail": f"dtype {dtype}"}
    if t.layout is not torch.strided:
        return {"__t": "unsupported", "type": "torch.Tensor", "detail": "sparse or non-strided layout"}
    if t.requires_grad or t.is_conj() or t.is_neg():
        t = t.detach().resolve_conj().resolve_neg()
    data = t.detach().cpu().contiguous().numpy().tobytes()
    return {"__t": "tensor", "dtype": dtype, "shape": list(t.shape), "data": base64.b64encode(data).decode()}


def _encode_ndarray(a: Any) -> Any:
    dtype = a.dtype.name
    if dtype not in TENSOR_DTYPES:
        return {"__t": "unsupported", "type": "numpy.ndarray", "detail": f"dtype {dtype}"}
    import numpy as np

    data = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
    return {"__t": "ndarray", "dtype": dtype, "shape": list(a.shape), "data": base64.b64encode(data).decode()}


def _type_name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__


# ---------------------------------------------------------------- framing

def dumps(message: Any) -> bytes:
    return json.dumps(message, allow_nan=False, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes) -> Any:
    if len(line) > MAX_MESSAGE_BYTES:
        raise WireError("message too large")
    try:
        return json.loads(line, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise WireError(f"bare {name} is not allowed on the wire")


# ---------------------------------------------------------------- decoding

def decode_data(node: Any) -> Any:
    """Decode into grader-side values (NumPy-backed). Raises WireError on anything malformed."""
    return _decode(node, _numpy_tensor, 0)


def decode_torch(node: Any, build_callable: Callable[[CallableRef], Any] | None = None) -> Any:
    """Decode into real tensors (sandboxed processes); callables are rebuilt by `build_callable`."""
    def make(kind: str, dtype: str, shape: tuple[int, ...], raw: bytes) -> Any:
        import torch

        array = _numpy_tensor(kind, dtype, shape, raw).array
        return torch.from_numpy(array.copy()) if kind == "tensor" else array.copy()

    return _decode(node, make, 0, build_callable)


def _numpy_tensor(kind: str, dtype: str, shape: tuple[int, ...], raw: bytes) -> TensorData:
    import numpy as np

    np_dtype = np.dtype(TENSOR_DTYPES[dtype])
    count = math.prod(shape)
    if count * np_dtype.itemsize != len(raw):
        raise WireError(f"tensor buffer holds {len(raw)} bytes, shape {list(shape)} needs "
                        f"{count * np_dtype.itemsize}")
    array = np.frombuffer(raw, dtype=np_dtype).reshape(shape)
    cls = TensorData if kind == "tensor" else ArrayData
    return cls(dtype=dtype, shape=tuple(shape), array=array)


def _decode(node: Any, make_tensor: Callable, depth: int, build_callable: Callable | None = None) -> Any:
    if depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    if node is None or isinstance(node, (bool, str, float)):
        return node
    if isinstance(node, int):
        return node
    if isinstance(node, list):
        return [_decode(v, make_tensor, depth + 1, build_callable) for v in node]
    if not isinstance(node, dict) or "__t" not in node:
        raise WireError(f"unexpected node {str(node)[:60]!r}")
    tag = node["__t"]
    rec = lambda v: _decode(v, make_tensor, depth + 1, build_callable)  # noqa: E731
    if tag in ("tensor", "ndarray"):
        dtype, shape = node.get("dtype"), node.get("shape")
        if dtype not in TENSOR_DTYPES or not _valid_shape(shape):
            raise WireError(f"bad {tag} header")
        try:
            raw = base64.b64decode(node.get("data", ""), validate=True)
        except (ValueError, TypeError):
            raise WireError("tensor data is not base64") from None
        return make_tensor(tag, dtype, tuple(shape), raw)
    if tag == "float":
        if node.get("value") not in ("nan", "inf", "-inf"):
            raise WireError("bad float node")
        return float(node["value"])
    if tag == "tuple":
        return tuple(rec(v) for v in _list(node, "items"))
    if tag == "dict":
        items = _list(node, "items")
        if not all(isinstance(p, list) and len(p) == 2 for p in items):
            raise WireError("bad dict node")
        return {_decode_key(k): rec(v) for k, v in items}
    if tag == "npscalar":
        value = node.get("value")
        if node.get("dtype") not in NUMPY_SCALARS or not isinstance(value, (int, float, bool, str)):
            raise WireError("bad numpy scalar node")
        return NumpyScalar(node["dtype"], float(value) if isinstance(value, str) else value)
    if tag == "unsupported":
        return Unsupported(str(node.get("type", "?"))[:200], str(node.get("detail", ""))[:200])
    if tag == "callable":
        ref = CallableRef(str(node.get("factory")), rec(node.get("params", {})), str(node.get("label", "")))
        return build_callable(ref) if build_callable else ref
    raise WireError(f"unknown tag {str(tag)[:40]!r}")


def _decode_key(key: Any) -> Any:
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return key
    return Unsupported("dict key", str(key)[:60])


def _list(node: dict, field: str) -> list:
    value = node.get(field)
    if not isinstance(value, list):
        raise WireError(f"'{field}' must be a list")
    return value


def _valid_shape(shape: Any) -> bool:
    return (isinstance(shape, list) and len(shape) <= 16
            and all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**31 for d in shape)
            and math.prod(shape) <= 2**28)
