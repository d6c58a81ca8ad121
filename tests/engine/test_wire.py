"""The wire format: exact types survive, and malformed or hostile data is rejected, never executed."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch

from dlcheck import wire
from dlcheck.wire import ArrayData, NumpyScalar, TensorData, Unsupported, WireError, decode_data, encode


def roundtrip(value):
    return decode_data(wire.loads(wire.dumps(encode(value))))


def test_tensor_roundtrip_keeps_dtype_shape_and_values():
    t = torch.arange(6, dtype=torch.float64).reshape(2, 3) / 7
    got = roundtrip(t)
    assert type(got) is TensorData and got.dtype == "float64" and got.shape == (2, 3)
    np.testing.assert_array_equal(got.array, t.numpy())


def test_non_contiguous_and_grad_tensors_encode_their_values():
    t = torch.arange(6.0, dtype=torch.float64).reshape(2, 3).t().requires_grad_(True)
    got = roundtrip(t * 1)
    np.testing.assert_array_equal(got.array, t.detach().numpy())


def test_structures_and_scalars():
    value = {"a": (1, 2.5, float("nan")), "b": [True, None, "s"], "c": np.int64(3)}
    got = roundtrip(value)
    assert got["a"][0] == 1 and got["a"][1] == 2.5 and np.isnan(got["a"][2])
    assert got["b"] == [True, None, "s"]
    assert got["c"] == NumpyScalar("int64", 3)


@pytest.mark.parametrize("value, type_name", [
    (torch.zeros(2).as_subclass(type("Sub", (torch.Tensor,), {})), "Sub"),
    (np.array([object()], dtype=object), "numpy.ndarray"),
    (object(), "object"),
    (torch.zeros(2, dtype=torch.bfloat16), "torch.Tensor"),
    (2 ** 10000, "int"),
])
def test_values_that_are_not_plain_data_arrive_as_unsupported(value, type_name):
    got = roundtrip(value)
    assert isinstance(got, Unsupported) and type_name in got.type_name


def test_numpy_arrays_stay_distinguishable_from_tensors():
    got = roundtrip(np.ones(3))
    assert type(got) is ArrayData


@pytest.mark.parametrize("node", [
    {"__t": "tensor", "dtype": "float64", "shape": [3], "data": base64.b64encode(b"x" * 8).decode()},
    {"__t": "tensor", "dtype": "object", "shape": [1], "data": ""},
    {"__t": "tensor", "dtype": "float64", "shape": [-1], "data": ""},
    {"__t": "tensor", "dtype": "float64", "shape": [1], "data": "not base64!"},
    {"__t": "pickle", "data": "gASV"},
    {"no_tag": 1},
    {"__t": "float", "value": "1e308*10"},
])
def test_malformed_nodes_are_rejected(node):
    with pytest.raises(WireError):
        decode_data(node)


def test_bare_nan_and_oversized_messages_are_rejected():
    with pytest.raises(WireError):
        wire.loads(b'{"x": NaN}')
    with pytest.raises(WireError):
        wire.loads(b"[" * 10 + b"1" + b"]" * 10 + b" " * (wire.MAX_MESSAGE_BYTES + 1))


def test_deep_nesting_is_rejected_not_a_crash():
    node = json.loads("[" * 200 + "]" * 200)
    with pytest.raises(WireError):
        decode_data(node)
