"""The wire format: exact types survive, and malformed, hostile or oversized data is rejected —
before it is decoded where it could cost memory — and never executed."""

from __future__ import annotations

import collections
import enum
import struct
import time

import msgspec
import numpy as np
import pytest
import torch

from dlcheck import messages, wire
from dlcheck.compare import compare
from dlcheck.messages import CaseResult, WorkerEvent
from dlcheck.wire import ArrayData, Bounds, NumpyScalar, TensorData, Unsupported, WireError

RESULT_PREFIX = b"\x83\xa5event\xa6result\xa4case\x00\xa5value"  # {"event": "result", "case": 0, "value": …}
GENEROUS = Bounds(max_bytes=1 << 30, max_nodes=10**7)


def roundtrip(value):
    frame = wire.pack(CaseResult(0, wire.encode(value)))
    return wire.grader_value(wire.unpack(frame, WorkerEvent, GENEROUS).value)


def forged(value_bytes: bytes, bounds: Bounds = GENEROUS):
    """Decode a hand-made result frame, as the grader does with what a worker sends."""
    return wire.unpack(RESULT_PREFIX + value_bytes, WorkerEvent, bounds)


def test_tensor_roundtrip_keeps_dtype_shape_and_values_without_copying_the_frame():
    t = torch.arange(6, dtype=torch.float64).reshape(2, 3) / 7
    frame = bytearray(wire.pack(CaseResult(0, wire.encode(t))))
    got = wire.grader_value(wire.unpack(memoryview(frame).toreadonly(), WorkerEvent, GENEROUS).value)
    assert type(got) is TensorData and got.dtype == "float64" and got.shape == (2, 3)
    np.testing.assert_array_equal(got.array, t.numpy())
    assert np.shares_memory(got.array, np.frombuffer(frame, dtype=np.uint8))  # a view of the frame
    assert not got.array.flags.writeable


def test_non_contiguous_and_grad_tensors_encode_their_values():
    t = torch.arange(6.0, dtype=torch.float64).reshape(2, 3).t().requires_grad_(True)
    got = roundtrip(t * 1)
    np.testing.assert_array_equal(got.array, t.detach().numpy())


def test_structures_and_scalars_including_non_finite_floats():
    value = {"a": (1, 2.5, float("nan"), float("-inf")), "b": [True, None, "s"], "c": np.int64(3), 7: np.float32(0.5)}
    got = roundtrip(value)
    assert got["a"][:2] == (1, 2.5) and np.isnan(got["a"][2]) and got["a"][3] == float("-inf")
    assert type(got["a"]) is tuple and got["b"] == [True, None, "s"]
    assert got["c"] == NumpyScalar("int64", 3) and got[7] == NumpyScalar("float32", 0.5)


def test_non_finite_floats_travel_as_msgpack_floats():
    assert wire.pack(float("nan"))[:1] == b"\xcb" and wire.pack(float("inf")) == b"\xcb" + struct.pack(">d", float("inf"))


def test_ints_beyond_64_bits_reach_compare_which_reports_a_value_mismatch():
    big = 2**2000
    assert roundtrip(big) == big and roundtrip(-big) == -big and roundtrip(2**64 - 1) == 2**64 - 1
    [mismatch] = compare(3.0, roundtrip(big), {})
    assert mismatch.kind == "value" and "too large for a float (2001 bits)" in mismatch.message


class Liar:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value, type_name", [
    (torch.zeros(2).as_subclass(type("Sub", (torch.Tensor,), {})), "Sub"),
    (torch.nn.Parameter(torch.zeros(2)), "Parameter"),
    (np.array([object()], dtype=object), "numpy.ndarray"),
    (Liar(), "Liar"),
    (type("MyStr", (str,), {})("x"), "MyStr"),
    (type("MyFloat", (float,), {})(1.0), "MyFloat"),
    (torch.zeros(2, dtype=torch.bfloat16), "torch.Tensor"),
    (2 ** 10000, "int"),
    ("\ud800", "str"),
])
def test_values_that_are_not_plain_data_arrive_as_unsupported(value, type_name):
    got = roundtrip(value)
    assert isinstance(got, Unsupported) and type_name in got.type_name


class Hostile(list):
    """Every accessor a subclass can override answers something other than what is stored."""
    def __iter__(self):
        return iter([1, 2, 3])
    def __len__(self):
        return 10**12
    def __getitem__(self, index):
        raise RuntimeError("never called")
    def copy(self):
        raise RuntimeError("never called")


class HostileDict(dict):
    def __iter__(self):
        raise RuntimeError("never called")
    keys = values = items = __len__ = __getitem__ = get = copy = __iter__


@pytest.mark.parametrize("value, plain", [
    (collections.namedtuple("Pair", "a b")(1, [2.5]), (1, [2.5])),
    (torch.Size([2, 3]), (2, 3)),
    (torch.return_types.max((5, 6)), (5, 6)),
    (collections.OrderedDict([("b", 1), ("a", (2,))]), {"b": 1, "a": (2,)}),
    (collections.defaultdict(list, x=[1]), {"x": [1]}),
    (Hostile([4.0]), [4.0]),
    (HostileDict(k=0.5), {"k": 0.5}),
    ({enum.Enum("Key", {"w": "w"}, type=str).w: 1}, {"w": 1}),
])
def test_container_subclasses_arrive_as_the_plain_container_of_what_they_store(value, plain):
    got = roundtrip(value)
    assert got == plain and type(got) is type(plain)
    assert all(type(k) is str for k in (got if isinstance(got, dict) else {}))


def test_container_subclasses_of_too_many_values_are_refused_before_being_read():
    limit = wire.MAX_ENCODED_VALUES
    shared = []
    for _ in range(60):  # 120 objects, 2**60 paths
        shared = [shared, shared]
    big = type("Big", (tuple,), {})((0,) * (limit + 1))
    for value, type_name in [(shared, "list"), (big, "Big"), ({i: 0 for i in range(limit + 1)}, "dict")]:
        start = time.monotonic()
        got = roundtrip(value)
        assert got.type_name.split(".")[-1] == type_name and got.detail == f"holds more than {limit:,} values"
        assert time.monotonic() - start < 5
    assert len(roundtrip([0] * (limit - 1))) == limit - 1  # the list is one of the values


def test_a_dict_whose_keys_read_as_the_same_string_is_refused():
    shadow = type("Shadow", (str,), {"__hash__": lambda self: 7, "__eq__": lambda self, other: self is other})
    got = roundtrip({"m": 0.0, shadow("m"): 1.0})
    assert got == Unsupported("dict", "two of its keys are the same string")


def test_a_self_containing_container_subclass_is_cut_at_the_nesting_cap():
    loop = type("Loop", (list,), {})()
    loop.append(loop)
    got = roundtrip(loop)
    for _ in range(messages.MAX_DEPTH):
        got = got[0]
    assert got == [Unsupported("nesting", f"nested deeper than {messages.MAX_DEPTH} levels")]


def test_values_nested_deeper_than_the_cap_are_cut_by_the_encoder():
    nested = []
    for _ in range(100):
        nested = [nested]
    got = roundtrip(nested)
    for _ in range(messages.MAX_DEPTH + 1):
        got = got[0]
    assert got == Unsupported("nesting", f"nested deeper than {messages.MAX_DEPTH} levels")


def test_numpy_arrays_stay_distinguishable_from_tensors():
    got = roundtrip(np.ones(3, dtype=">f8"))  # big-endian in, little-endian on the wire
    assert type(got) is ArrayData and got.array.tolist() == [1.0, 1.0, 1.0]


def test_torch_side_decoding_gives_fresh_writable_tensors():
    node = wire.encode({"x": torch.ones(3), "s": np.int16(4)})
    first, second = wire.torch_value(node), wire.torch_value(node)
    first["x"].add_(1)
    assert second["x"].tolist() == [1.0, 1.0, 1.0] and second["s"] == np.int16(4) and type(second["s"]) is np.int16


def _bin(data: bytes) -> bytes:
    return b"\xc4" + bytes([len(data)]) + data


@pytest.mark.parametrize("value_bytes, fragment", [
    (b"\x94\xa6tensor\xa7float64\x91\x03" + _bin(b"x" * 8), "buffer holds 8 bytes"),  # shape [3] needs 24
    (b"\x94\xa6tensor\xa6object\x91\x01" + _bin(b""), "Invalid enum value 'object'"),
    (b"\x94\xa6tensor\xa7float64\x91\xff" + _bin(b""), ">= 0"),  # a negative dimension
    (b"\x94\xa6tensor\xa7float64\x92\xcd\x40\x00\xcd\x40\x00" + _bin(b"x" * 8), "buffer holds 8 bytes"),  # 2**28 elements claimed
    (b"\x94\xa6tensor\xa7float64\x91\x01\xa8AAAAAAA=", "Expected `bytes`"),  # base64 text is not a buffer
    (b"\x92\xa6pickle\xa4gASV", "Invalid value 'pickle'"),
    (b"\x93\xa4dict\x92\xa1a\xa1b\x91\x01", "as many values as keys"),
    (b"\x93\xa8npscalar\xa4int8\xcd\x03\xe8", "is not a numpy.int8"),  # 1000
    (b"\x81\xa1a\x01", "Expected"),  # a bare map is not a value
])
def test_malformed_nodes_are_rejected(value_bytes, fragment):
    with pytest.raises(WireError, match=None) as error:
        forged(value_bytes)
    assert fragment in str(error.value)


def test_a_frame_of_tiny_nodes_is_refused_before_decoding_in_bounded_time():
    frame = RESULT_PREFIX + b"\x92\xa4list\xdd" + struct.pack(">I", 8_000_000) + b"\x92\xa4list\x90" * 8_000_000
    start = time.perf_counter()
    with pytest.raises(WireError, match="more than 4,096 values"):
        wire.unpack(frame, WorkerEvent, Bounds(max_bytes=len(frame), max_nodes=4096))
    assert time.perf_counter() - start < 0.5  # the walk stops at the cap, whatever the frame's size


def test_deep_nesting_is_refused_before_msgspec_recurses():
    deep = b"\x92\xa4list\x91" * 100_000 + b"\xc0"
    with pytest.raises(WireError, match="nested more deeply"):
        forged(deep)


@pytest.mark.parametrize("value_bytes, fragment", [
    (b"\xdd\xff\xff\xff\xff\xc0", "ends in the middle"),  # an array claiming 4 billion items
    (b"\xc6\x7f\xff\xff\xff", "ends in the middle"),  # a buffer claiming 2 GB
    (b"\xc0\xc0", "trailing bytes"),
    (b"\xd4\x01\x00", "msgpack type (0xd4)"),  # extension types are not in any schema
    (b"\xc1", "msgpack type (0xc1)"),
])
def test_frames_that_lie_about_their_length_or_use_foreign_types_are_refused(value_bytes, fragment):
    with pytest.raises(WireError) as error:
        forged(value_bytes)
    assert fragment in str(error.value)


def test_the_deadline_is_checked_while_measuring():
    frame = RESULT_PREFIX + b"\xdd" + struct.pack(">I", 100_000) + b"\xc0" * 100_000
    with pytest.raises(wire.OutOfTime):
        wire.unpack(frame, WorkerEvent, GENEROUS, deadline=time.monotonic() - 1)


def test_count_nodes_measures_what_bounds_count():
    raw = msgspec.Raw(wire.pack(wire.encode((torch.zeros(3), [1, 2]))))
    # tuple node, its tag and items; the tensor node, tag, dtype, shape, one dim, data; the list node, tag, items, 1, 2
    assert wire.count_nodes(raw) == 3 + 6 + 5


@pytest.mark.parametrize("make", [
    lambda: torch.zeros((), dtype=torch.bool),  # the costliest per value: five values, five objects
    lambda: [],
    lambda: {},
    lambda: np.int8(1),
    lambda: object(),
])
def test_each_value_costs_a_bounded_number_of_bytes_once_decoded(make):
    import tracemalloc

    frame = wire.pack(CaseResult(0, wire.encode([make() for _ in range(2000)])))
    values = wire.count_nodes(msgspec.Raw(frame))
    tracemalloc.start()
    try:
        decoded = wire.grader_value(wire.unpack(frame, WorkerEvent, GENEROUS).value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(decoded) == 2000
    assert peak / values < 250  # what docs/grading.md promises: the value cap bounds decoding's memory
