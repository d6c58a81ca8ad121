"""Every message that crosses a process boundary, as typed msgspec schemas (encoded as msgpack).

Five boundaries, one schema each:
  grader <-> zygote            ControlRequest, and the reply type named by each request
  grader <-> symbolic server   SymbolicControl, the same way (sandbox/control.py is the protocol of both)
  grader <-> reference process ReferenceJob -> ReferenceReply (trusted; large tensors)
  grader <-> student worker    StudentJob -> WorkerEvent, one event per frame (untrusted)
  symbolic client <-> worker   dlcheck.symbolic.protocol (its own package's contract)

Decoding into these types validates every field (types, lengths, the dtype whitelist, a tensor's
shape against its buffer) and builds nothing but these classes and plain data: it cannot execute
code. What decoding cannot bound by type alone — how many nodes a message holds and how deeply they
nest — `wire.check_bounds` measures before a single object is built.

Values travel as `Value`: plain msgpack scalars (None, bool, 64-bit ints, floats including NaN and
±inf, str) or one of the tagged nodes below, each encoded as an array whose first item names it.
"""

from __future__ import annotations

import math
from typing import Annotated, Generic, Literal, TypeVar, Union

import msgspec
from msgspec import Meta

from .spec import Cases

# dtypes that can cross the boundary, with their little-endian NumPy codes; anything else
# (bfloat16, complex, quantized, object) is sent as an UnsupportedNode.
TENSOR_DTYPES = {
    "float64": "<f8", "float32": "<f4", "float16": "<f2",
    "int64": "<i8", "int32": "<i4", "int16": "<i2", "int8": "i1", "uint8": "u1", "bool": "?",
}
ITEM_SIZES = {"float64": 8, "float32": 4, "float16": 2, "int64": 8, "int32": 4, "int16": 2, "int8": 1,
              "uint8": 1, "bool": 1}
INTEGER_RANGES = {
    "int64": (-2**63, 2**63 - 1), "int32": (-2**31, 2**31 - 1), "int16": (-2**15, 2**15 - 1),
    "int8": (-2**7, 2**7 - 1), "uint8": (0, 2**8 - 1),
}
FLOAT_DTYPES = ("float64", "float32", "float16")
MAX_DEPTH = 32  # value nesting; deeper values are encoded as UnsupportedNode("nesting")
MAX_DIMS = 16
MAX_ELEMENTS = 2**28
MAX_INT_BITS = 4096  # larger Python ints are encoded as UnsupportedNode("int")
NAME_CHARS = 200  # type names, details, factory names, rule ids, API names
ERROR_TYPE_CHARS = 100
FUNCTION_NAME_CHARS = 100
ERROR_MESSAGE_CHARS = 2000
FRAME_CODE_CHARS = 200
MAX_FRAMES = 8
MAX_LAYERS = 32
MAX_LISTED_FUNCTIONS = 20
MAX_INPUT_CHANGES = 16  # arguments (or places in them) a case result reports as changed
# What a call can change about an argument it should have left alone (dlcheck.input_guard).
INPUT_CHANGE_KINDS = ("type", "dtype", "shape", "values", "requires_grad", "grad", "entries")

Dtype = Literal[tuple(TENSOR_DTYPES)]  # type: ignore[valid-type]
Dim = Annotated[int, Meta(ge=0, lt=2**31)]
CaseIndex = Annotated[int, Meta(ge=0)]


def text(max_chars: int):
    """A str of at most `max_chars` characters (senders truncate; receivers reject longer ones)."""
    return Annotated[str, Meta(max_length=max_chars)]


Name = text(NAME_CHARS)


# ---------------------------------------------------------------- values

class _Node(msgspec.Struct, array_like=True, frozen=True, tag_field="node"):
    """Base of the tagged value nodes: encoded as [tag, field, ...]."""


class ListNode(_Node, tag="list"):
    items: list[Value]


class TupleNode(_Node, tag="tuple"):
    items: list[Value]


class DictNode(_Node, tag="dict"):
    keys: list[Key]
    values: list[Value]

    def __post_init__(self) -> None:
        if len(self.keys) != len(self.values):
            raise ValueError("a dict needs as many values as keys")


class TensorNode(_Node, tag="tensor"):
    dtype: Dtype
    shape: Annotated[list[Dim], Meta(max_length=MAX_DIMS)]
    # Little-endian, C order. Decoded as a memoryview into the received frame: no copy. (Senders may
    # put bytes here.)
    data: memoryview

    def __post_init__(self) -> None:
        count = math.prod(self.shape)
        if count > MAX_ELEMENTS:
            raise ValueError(f"shape {self.shape} has more than {MAX_ELEMENTS} elements")
        needed = count * ITEM_SIZES[self.dtype]
        if len(self.data) != needed:
            raise ValueError(f"buffer holds {len(self.data)} bytes, shape {self.shape} of "
                             f"{self.dtype} needs {needed}")


class ArrayNode(TensorNode, tag="ndarray"):
    """A NumPy array (not a tensor): kept distinct so that the type check can name it."""


class NumpyScalarNode(_Node, tag="npscalar"):
    dtype: Dtype
    value: Union[bool, int, float]

    def __post_init__(self) -> None:
        if self.dtype == "bool":
            fits = type(self.value) is bool
        elif self.dtype in FLOAT_DTYPES:
            fits = type(self.value) is float
        else:
            low, high = INTEGER_RANGES[self.dtype]
            fits = type(self.value) is int and low <= self.value <= high
        if not fits:
            raise ValueError(f"{self.value!r} is not a numpy.{self.dtype}")


class BigIntNode(_Node, tag="bigint"):
    """A Python int outside msgpack's 64-bit range: big-endian two's complement."""

    data: Annotated[bytes, Meta(min_length=1, max_length=MAX_INT_BITS // 8 + 1)]


class UnsupportedNode(_Node, tag="unsupported"):
    """A value that cannot cross as data (a subclass, a custom object, a raised mistake …)."""

    type_name: Name
    detail: Name = ""


class CallableNode(_Node, tag="callable"):
    """A callable handed to the student, rebuilt from its factory in each process."""

    factory: Name
    params: dict[Name, Value]
    label: Name = ""


Value = Union[None, bool, int, float, str, ListNode, TupleNode, DictNode, TensorNode, ArrayNode,
              NumpyScalarNode, BigIntNode, UnsupportedNode, CallableNode]
Key = Union[str, int, UnsupportedNode]
V = TypeVar("V")  # Value for whoever uses the values; Raw (still encoded) for whoever forwards them


# ---------------------------------------------------------------- grader <-> zygote (control)

class JobLimits(msgspec.Struct, frozen=True, kw_only=True):
    memory_mb: int | None = None
    cpu_seconds: float | None = None
    file_mb: int | None = None
    open_files: int | None = None
    processes: int | None = None


class ProbeRequest(msgspec.Struct, frozen=True, tag="probe", tag_field="op"):
    pass


class SpawnRequest(msgspec.Struct, frozen=True, tag="spawn", tag_field="op"):
    """Sent with two file descriptors: the job's socket and the memfd that captures its output."""

    role: Literal["reference", "student"]
    scratch: str
    limits: JobLimits


class ReapRequest(msgspec.Struct, frozen=True, tag="reap", tag_field="op"):
    pid: int
    kill: bool = False


ControlRequest = Union[ProbeRequest, SpawnRequest, ReapRequest]


class ProbeReply(msgspec.Struct, frozen=True):
    layers: list[str]  # what a student job gets on this machine
    exposed: list[str]  # host paths a worker can see


class SpawnReply(msgspec.Struct, frozen=True):
    pid: int


class ReapReply(msgspec.Struct, frozen=True):
    exit: int | None = None
    signal: int | None = None


REPLY_TYPES = {ProbeRequest: ProbeReply, SpawnRequest: SpawnReply, ReapRequest: ReapReply}


# ---------------------------------------------------------------- grader <-> symbolic server (control)

class SymbolicSpawn(msgspec.Struct, frozen=True, tag="spawn", tag_field="op"):
    """Sent with one file descriptor: the socket the child reads its request from (until the grader
    shuts its side down) and writes its reply to (dlcheck.symbolic.protocol)."""


SymbolicControl = Union[SymbolicSpawn, ReapRequest]
SYMBOLIC_REPLY_TYPES = {SymbolicSpawn: SpawnReply, ReapRequest: ReapReply}


# ---------------------------------------------------------------- grader <-> reference process

class ReferenceJob(msgspec.Struct, frozen=True, kw_only=True):
    exercise_id: str
    entry_point: str
    cases: Cases
    mistake_functions: list[str]  # in the mistakes module: each mistake's id, then its variants
    hidden_seed: int
    reference_path: str
    mistakes_path: str | None
    fixtures_path: str | None


class ReferenceCase(msgspec.Struct, Generic[V], frozen=True, kw_only=True):
    name: str
    hidden: bool  # drawn from a seed the student cannot know
    args: dict[str, V]
    expected: V
    mistakes: dict[str, V]  # each mistake function's output, by name (an UnsupportedNode "raised" if it raised)


class ReferenceCases(msgspec.Struct, Generic[V], frozen=True, tag="cases", tag_field="reply"):
    cases: list[ReferenceCase[V]]


class ReferenceFault(msgspec.Struct, frozen=True, tag="fault", tag_field="reply"):
    fault: str  # the reference could not be computed: the exercise is broken, not the student


# ---------------------------------------------------------------- grader <-> student worker

class RuleTraps(msgspec.Struct, frozen=True, kw_only=True):
    """A rule as the worker enforces it (rules.install_traps; spec.Rule says what each field means)."""

    id: str
    forbid: list[str]  # dotted APIs trapped at run time
    ops: list[str] = []  # operator patterns banned in torch's dispatcher
    autograd: str | None = None


class StudentJob(msgspec.Struct, Generic[V], frozen=True, kw_only=True):
    source: str
    filename: str  # a bare file name: the worker learns no path of the course
    entry_point: str
    rules: list[RuleTraps]
    fixtures_source: str | None
    fixtures_filename: str
    cases: list[dict[str, V]]  # each case's arguments, in parameter order
    modifies: list[str] = []  # arguments the function may update in place (spec `modifies:`)


class ErrorFrame(msgspec.Struct, frozen=True):
    line: int | None
    function: text(FUNCTION_NAME_CHARS)
    code: text(FRAME_CODE_CHARS)


class ErrorInfo(msgspec.Struct, frozen=True):
    """An exception, with its traceback trimmed to frames in the student's own file."""

    type: text(ERROR_TYPE_CHARS)
    message: text(ERROR_MESSAGE_CHARS)
    frames: Annotated[list[ErrorFrame], Meta(max_length=MAX_FRAMES)] = []
    forbidden: bool = False  # raised by a rule trap


class _Event(msgspec.Struct, frozen=True, tag_field="event"):
    pass


class Isolation(_Event, tag="isolation"):
    """First, before any submission code runs: the sandbox layers this worker got."""

    layers: Annotated[list[text(64)], Meta(max_length=MAX_LAYERS)]


class RuleBroken(_Event, tag="rule"):
    rule: Name
    api: Name


class SyntaxProblem(_Event, tag="syntax_error"):
    line: int | None
    offset: int | None
    text: text(FRAME_CODE_CHARS)
    message: text(ERROR_MESSAGE_CHARS)


class ImportFailed(_Event, tag="import_error"):
    error: ErrorInfo


class MissingFunction(_Event, tag="missing_function"):
    available: Annotated[list[text(FUNCTION_NAME_CHARS)], Meta(max_length=MAX_LISTED_FUNCTIONS)]


class Ready(_Event, tag="ready"):
    """The submission imported and defines the entry point."""


class InputChange(msgspec.Struct, frozen=True):
    """An argument the call changed in place: its name, or a place in it (`grads['W1']`), and what changed."""

    argument: Name
    changed: Annotated[list[Literal[INPUT_CHANGE_KINDS]], Meta(min_length=1, max_length=len(INPUT_CHANGE_KINDS))]  # type: ignore[valid-type]


class CaseResult(_Event, tag="result"):
    case: CaseIndex
    value: Value
    # The worker's check of the arguments after the call. A claim that can only fail the case: the
    # grader never passes a case because of it.
    changed_inputs: Annotated[list[InputChange], Meta(max_length=MAX_INPUT_CHANGES)] = []
    unchecked: text(ERROR_MESSAGE_CHARS) | None = None  # why the arguments could not be checked: an error


class CaseRaised(_Event, tag="exception"):
    case: CaseIndex
    error: ErrorInfo


WorkerEvent = Union[Isolation, RuleBroken, SyntaxProblem, ImportFailed, MissingFunction, Ready,
                    CaseResult, CaseRaised]
