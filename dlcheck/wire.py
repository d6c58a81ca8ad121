"""The value format spoken between the grader and its sandboxed processes, and bounded decoding.

Messages are the msgspec structs of `dlcheck.messages`, encoded as msgpack. `encode` turns a
value into `messages.Value` nodes recording its *exact* type: a tensor subclass, an object with a
custom `__eq__` or a NumPy object array becomes an `UnsupportedNode`, never a value that compares
equal. Subclasses of tuple, list and dict (a namedtuple, `torch.return_types`, an OrderedDict) are
the one exception: they are read through the base type's own methods, so no override runs, and
sent as the plain container of the data they store. Decoding builds only those structs and plain
data, so it cannot execute code.

Untrusted frames are measured before they are decoded (`check_bounds`): msgspec builds every object
of a message in one pass, so a frame of tiny nodes must be refused *before* it is handed over — one
byte of msgpack (an empty array) becomes a 56-byte Python list.

Two views of decoded values exist: `grader_value` (grading process: NumPy arrays over the received
buffer, no torch import) and `torch_value` (sandboxed processes: fresh, writable tensors).
"""

from __future__ import annotations

import math
import struct
import time
from dataclasses import dataclass
from typing import Any, Callable

import msgspec

from .messages import (
    MAX_DEPTH, MAX_DIMS, MAX_ELEMENTS, MAX_INT_BITS, NAME_CHARS, TENSOR_DTYPES, ArrayNode, BigIntNode,
    CallableNode, DictNode, ListNode, NumpyScalarNode, TensorNode, TupleNode, UnsupportedNode, Value,
)

# Each value level is at most two msgpack containers (a node and its items), below an event's map.
FRAME_DEPTH = 2 * (MAX_DEPTH + 1) + 4
DEADLINE_CHECK_NODES = 4096  # how often the bound check looks at the clock
MAX_ENCODED_VALUES = 2**18  # values in one encoded value (each tensor is one): far more than any output


class WireError(ValueError):
    """A message that is not well-formed wire data, or that exceeds a bound."""


class OutOfTime(WireError):
    """The deadline passed while a message was being checked."""


# ---------------------------------------------------------------- grader-side values

@dataclass(frozen=True)
class TensorData:
    """A tensor as seen by the grading process: its dtype name, shape and values."""

    dtype: str
    shape: tuple[int, ...]
    array: Any  # numpy.ndarray, read-only, usually a view of the received frame

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


# ---------------------------------------------------------------- encoding (sandboxed processes)

def encode(value: Any) -> Any:
    """`value` as `messages.Value` nodes, recording exact types."""
    try:
        return _Encoder().value(value, 0)
    except _TooManyValues:
        return unsupported(_type_name(type(value)), f"holds more than {MAX_ENCODED_VALUES:,} values")


class _TooManyValues(Exception):
    """The value holds more than MAX_ENCODED_VALUES values (counting each path to a shared one)."""


class _Encoder:
    """One value's encoding, with a budget of values: a list that holds the same list twice, 60
    times over, is 120 objects but 2**60 paths, and each path is encoded."""

    def __init__(self) -> None:
        self.left = MAX_ENCODED_VALUES

    def afford(self, count: int) -> None:
        """Refuses a container before its items are read (a tuple of 10**8 zeros is one object)."""
        if count > self.left:
            raise _TooManyValues

    def spend(self, count: int) -> None:
        self.afford(count)
        self.left -= count

    def value(self, value: Any, depth: int) -> Any:
        self.spend(1)
        if depth > MAX_DEPTH:
            return UnsupportedNode("nesting", f"nested deeper than {MAX_DEPTH} levels")
        kind = type(value)
        if value is None or kind is bool or kind is float:
            return value
        if kind is str:
            return value if _utf8_encodable(value) else UnsupportedNode("str", "not valid UTF-8 (lone surrogates)")
        if kind is int:
            return _encode_int(value)
        if kind is CallableRef:
            params = {str(k): self.value(v, depth + 1) for k, v in value.params.items()}
            return CallableNode(value.factory[:NAME_CHARS], params, value.label[:NAME_CHARS])
        if issubclass(kind, tuple):  # a namedtuple, torch.return_types, torch.Size …
            self.afford(tuple.__len__(value))
            return TupleNode([self.value(v, depth + 1) for v in tuple.__iter__(value)])
        if issubclass(kind, list):
            self.afford(list.__len__(value))
            # A copy, so that a thread of the submission appending to the list cannot keep this going.
            return ListNode([self.value(v, depth + 1) for v in list.copy(value)])
        if issubclass(kind, dict):  # an OrderedDict, a defaultdict …
            return self.dict(value, kind, depth)
        return _encode_array_like(value, kind)

    def dict(self, value: dict, kind: type, depth: int) -> Any:
        self.spend(dict.__len__(value))  # the keys, counted before the items are copied
        pairs = list(dict.items(value))
        keys = [_encode_key(k) for k, _ in pairs]
        names = [k for k in keys if type(k) is str]
        if len(set(names)) < len(names):
            return unsupported(_type_name(kind), "two of its keys are the same string")
        return DictNode(keys, [self.value(v, depth + 1) for _, v in pairs])


def unsupported(type_name: str, detail: str = "") -> UnsupportedNode:
    """An UnsupportedNode with both texts cut to what the schema accepts."""
    return UnsupportedNode(type_name[:NAME_CHARS], detail[:NAME_CHARS])


def _utf8_encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _encode_int(value: int) -> Any:
    if -2**63 <= value < 2**64:  # msgpack's own integers
        return value
    if value.bit_length() > MAX_INT_BITS:
        return UnsupportedNode("int", "integer too large")
    return BigIntNode(value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _encode_key(key: Any) -> Any:
    """A dict key as sent. A str subclass (a str-valued Enum …) is read as its characters through
    str's own method; the caller refuses a dict in which two keys then read the same."""
    if issubclass(type(key), str):
        text = str.__str__(key)
        return text if _utf8_encodable(text) else unsupported("str", "dict key, not valid UTF-8")
    if type(key) is int and -2**63 <= key < 2**64:
        return key
    return unsupported(_type_name(type(key)), "dict key")


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
        if issubclass(kind, np.generic) and value.dtype.name in TENSOR_DTYPES:
            return NumpyScalarNode(value.dtype.name, value.item())
    return unsupported(_type_name(kind))


def _encode_tensor(t: Any) -> Any:
    import torch

    dtype = str(t.dtype).removeprefix("torch.")
    if dtype not in TENSOR_DTYPES:
        return UnsupportedNode("torch.Tensor", f"dtype {dtype}")
    if t.layout is not torch.strided:
        return UnsupportedNode("torch.Tensor", "sparse or non-strided layout")
    problem = _shape_problem(list(t.shape))
    if problem:
        return UnsupportedNode("torch.Tensor", problem)
    data = t.detach().cpu().resolve_conj().resolve_neg().contiguous().numpy().tobytes()
    return TensorNode(dtype, list(t.shape), data)


def _encode_ndarray(a: Any) -> Any:
    import numpy as np

    dtype = a.dtype.name
    if dtype not in TENSOR_DTYPES:
        return UnsupportedNode("numpy.ndarray", f"dtype {dtype}")
    problem = _shape_problem(list(a.shape))
    if problem:
        return UnsupportedNode("numpy.ndarray", problem)
    data = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
    return ArrayNode(dtype, list(a.shape), data)


def _shape_problem(shape: list[int]) -> str:
    if len(shape) > MAX_DIMS:
        return f"more than {MAX_DIMS} dimensions"
    if math.prod(shape) > MAX_ELEMENTS or any(d >= 2**31 for d in shape):
        return f"more than {MAX_ELEMENTS} elements"
    return ""


def _type_name(kind: type) -> str:
    name = f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__
    return name[:NAME_CHARS]


# ---------------------------------------------------------------- messages

_ENCODER = msgspec.msgpack.Encoder()
_DECODERS: dict[Any, msgspec.msgpack.Decoder] = {}


def pack(message: Any) -> bytes:
    return _ENCODER.encode(message)


def pack_into(message: Any, buffer: bytearray, offset: int) -> None:
    """Encode `message` into `buffer` from `offset` on (the frame header goes before it)."""
    _ENCODER.encode_into(message, buffer, offset)


@dataclass(frozen=True)
class Bounds:
    """What an untrusted frame may cost: its encoded size, and its nodes and nesting once measured.

    `max_nodes` counts msgpack objects (every scalar, string, container and buffer). Decoded, each
    costs at most ~200 bytes of Python objects (the worst, a 0-d tensor, is 5 objects and ~0.9 kB:
    its struct, shape list, memoryview, NumPy array and TensorData), so `max_nodes` bounds what
    decoding can allocate; strings and buffers cost their length, which `max_bytes` bounds."""

    max_bytes: int
    max_nodes: int
    max_depth: int = FRAME_DEPTH


def unpack(data: Any, schema: Any, bounds: Bounds | None = None, deadline: float | None = None) -> Any:
    """Decode `data` (a frame's bytes) as `schema`; untrusted frames are measured against `bounds`
    first. Raises WireError (OutOfTime when `deadline`, a time.monotonic() value, passes)."""
    if bounds is not None:
        check_bounds(data, bounds.max_nodes, bounds.max_depth, deadline)
    decoder = _DECODERS.get(schema)
    if decoder is None:
        decoder = _DECODERS[schema] = msgspec.msgpack.Decoder(schema)
    try:
        return decoder.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise WireError(str(exc)) from None


def unpack_value(raw: msgspec.Raw) -> Any:
    """A still-encoded value (trusted: from the reference process) as grader-side data."""
    return grader_value(unpack(raw, Value))


def count_nodes(data: Any) -> int:
    """How many msgpack values `data` holds (trusted data, so no bound): the unit of `Bounds.max_nodes`."""
    return check_bounds(data, math.inf, FRAME_DEPTH)


# ---------------------------------------------------------------- measuring frames before decoding

# The msgpack type bytes 0xc0…0xdf: (kind, n). "fixed": an object of n bytes in all; "blob": n bytes
# of length, then that many bytes; "array"/"map": n bytes of item count; None: not in our schemas.
_TYPE_BYTES: list[tuple[str, int] | None] = [
    ("fixed", 1), None, ("fixed", 1), ("fixed", 1),                       # nil, (unused), false, true
    ("blob", 1), ("blob", 2), ("blob", 4),                                # bin 8/16/32
    None, None, None,                                                     # ext 8/16/32
    ("fixed", 5), ("fixed", 9),                                           # float 32/64
    ("fixed", 2), ("fixed", 3), ("fixed", 5), ("fixed", 9),               # uint 8/16/32/64
    ("fixed", 2), ("fixed", 3), ("fixed", 5), ("fixed", 9),               # int 8/16/32/64
    None, None, None, None, None,                                         # fixext 1/2/4/8/16
    ("blob", 1), ("blob", 2), ("blob", 4),                                # str 8/16/32
    ("array", 2), ("array", 4), ("map", 2), ("map", 4),                   # array 16/32, map 16/32
]
_LENGTH_FORMATS = {1: ">B", 2: ">H", 4: ">I"}


def check_bounds(data: Any, max_nodes: float, max_depth: int, deadline: float | None = None) -> int:
    """Walk the msgpack in `data` without building anything; the number of objects it holds.

    Raises WireError past `max_nodes` objects or `max_depth` nested containers, or if the bytes are
    not one complete msgpack object. The walk stops at the first bound it crosses, so its cost is
    at most `max_nodes` steps whatever the frame's size; strings and buffers are skipped, not read."""
    data = memoryview(data)  # a msgspec.Raw or a frame's bytes: indexable, without a copy
    size, pos, nodes = len(data), 0, 0
    pending = [1]  # objects still to read in each open container; the frame itself is one object
    while pending:
        if not pending[-1]:
            pending.pop()
            continue
        pending[-1] -= 1
        nodes += 1
        if nodes > max_nodes:
            raise WireError(f"it holds more than {max_nodes:,} values (numbers, strings, lists, tensors …)")
        if deadline is not None and nodes % DEADLINE_CHECK_NODES == 0 and time.monotonic() > deadline:
            raise OutOfTime("the deadline passed while reading it")
        if pos >= size:
            raise WireError("it ends in the middle of a value")
        pos, items = _skip_object(data, pos)
        if items:
            if len(pending) > max_depth:
                raise WireError(f"it is nested more deeply than values may be ({MAX_DEPTH} levels)")
            pending.append(items)
    if pos != size:
        raise WireError("it ends in the middle of a value" if pos > size else "it has trailing bytes")
    return nodes


def _skip_object(data: Any, pos: int) -> tuple[int, int]:
    """(where the next object starts, how many items follow as this container's children)."""
    first = data[pos]
    if first < 0x80 or first >= 0xE0:  # positive or negative fixint
        return pos + 1, 0
    if first < 0x90:  # fixmap: a key and a value per entry
        return pos + 1, 2 * (first & 0x0F)
    if first < 0xA0:  # fixarray
        return pos + 1, first & 0x0F
    if first < 0xC0:  # fixstr
        return pos + 1 + (first & 0x1F), 0
    entry = _TYPE_BYTES[first - 0xC0]
    if entry is None:
        raise WireError(f"it uses a msgpack type (0x{first:02x}) that no dlcheck message holds")
    kind, width = entry
    if kind == "fixed":
        return pos + width, 0
    if pos + 1 + width > len(data):
        raise WireError("it ends in the middle of a value")
    (count,) = struct.unpack_from(_LENGTH_FORMATS[width], data, pos + 1)
    if kind == "blob":
        return pos + 1 + width + count, 0
    return pos + 1 + width, count * (2 if kind == "map" else 1)


# ---------------------------------------------------------------- decoded nodes -> values

def grader_value(node: Any) -> Any:
    """Grader-side data for a decoded node: NumPy arrays over the frame's bytes, no torch."""
    convert = _GRADER_CONVERSIONS.get(type(node))
    return convert(node) if convert else node  # None, bool, int, float, str stay as they are


def torch_value(node: Any, build_callable: Callable[[CallableRef], Any] | None = None) -> Any:
    """Values for a sandboxed process: fresh, writable tensors (no two calls share one); callables
    rebuilt by `build_callable`."""
    kind = type(node)
    if kind in (TensorNode, ArrayNode):
        array = _numpy_view(node).copy()
        if kind is TensorNode:
            import torch

            return torch.from_numpy(array)
        return array
    again = lambda v: torch_value(v, build_callable)  # noqa: E731
    if kind is ListNode:
        return [again(v) for v in node.items]
    if kind is TupleNode:
        return tuple(again(v) for v in node.items)
    if kind is DictNode:
        return {_grader_key(k): again(v) for k, v in zip(node.keys, node.values)}
    if kind is NumpyScalarNode:
        import numpy as np

        return np.dtype(TENSOR_DTYPES[node.dtype]).type(node.value)
    if kind is CallableNode:
        ref = CallableRef(node.factory, {k: again(v) for k, v in node.params.items()}, node.label)
        return build_callable(ref) if build_callable else ref
    return grader_value(node)  # plain data, big ints and unsupported markers are the same everywhere


def _numpy_view(node: TensorNode) -> Any:
    import numpy as np

    return np.frombuffer(node.data, dtype=np.dtype(TENSOR_DTYPES[node.dtype])).reshape(node.shape)


def _grader_key(key: Any) -> Any:
    return Unsupported(key.type_name, key.detail) if type(key) is UnsupportedNode else key


def _tensor_data(node: TensorNode) -> TensorData:
    cls = ArrayData if type(node) is ArrayNode else TensorData
    return cls(dtype=node.dtype, shape=tuple(node.shape), array=_numpy_view(node))


_GRADER_CONVERSIONS: dict[type, Callable[[Any], Any]] = {
    ListNode: lambda n: [grader_value(v) for v in n.items],
    TupleNode: lambda n: tuple(grader_value(v) for v in n.items),
    DictNode: lambda n: {_grader_key(k): grader_value(v) for k, v in zip(n.keys, n.values)},
    TensorNode: _tensor_data,
    ArrayNode: _tensor_data,
    NumpyScalarNode: lambda n: NumpyScalar(n.dtype, n.value),
    BigIntNode: lambda n: int.from_bytes(n.data, "big", signed=True),
    UnsupportedNode: lambda n: Unsupported(n.type_name, n.detail),
    CallableNode: lambda n: CallableRef(n.factory, {k: grader_value(v) for k, v in n.params.items()}, n.label),
}
