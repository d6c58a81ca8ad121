"""Comparison semantics on decoded data: non-finite values, tolerances, structure."""

from __future__ import annotations

import numpy as np
import pytest

from dlcheck.compare import compare
from dlcheck.wire import TensorData

POLICY = {"rtol": 1e-7, "atol": 1e-9, "dtype": "strict", "outputs": {}}


def tensor(values) -> TensorData:
    array = np.array(values, dtype=np.float64)
    return TensorData("float64", array.shape, array)


@pytest.mark.parametrize("expected, got, same", [
    ([np.inf], [np.inf], True),
    ([-np.inf], [-np.inf], True),
    ([np.inf], [1e308], False),  # an infinite expectation is matched only by the same infinity
    ([np.inf], [-np.inf], False),
    ([1.0], [np.inf], False),
    ([np.nan], [np.nan], True),
    ([1.0], [np.nan], False),
    ([1.0], [1.0 + 1e-10], True),
    ([1.0], [1.0 + 1e-6], False),
])
def test_non_finite_values_match_only_themselves(expected, got, same):
    assert (compare(tensor(expected), tensor(got), POLICY) == []) is same


def test_per_output_tolerance_overrides_apply_to_their_key():
    policy = {**POLICY, "outputs": {"loose": {"atol": 1e-3, "rtol": None}}}
    expected = {"loose": tensor([1.0]), "tight": tensor([1.0])}
    got = {"loose": tensor([1.0005]), "tight": tensor([1.0005])}
    assert [m.path for m in compare(expected, got, policy)] == ["tight"]


def test_worst_element_is_reported_with_its_index():
    [mismatch] = compare(tensor([[0.0, 0.0], [0.0, 0.0]]), tensor([[0.0, 0.1], [0.5, 0.0]]), POLICY)
    assert mismatch.mismatched == 2 and mismatch.total == 4
    assert mismatch.worst["index"] == [1, 0] and mismatch.worst["got"] == 0.5


def test_an_integer_too_large_for_a_float_is_a_value_mismatch_not_a_crash():
    found = compare(1.5, 2**2000, POLICY)
    assert [m.kind for m in found] == ["value"] and "too large for a float" in found[0].message


def test_compare_safely_turns_any_exception_into_an_error_mismatch(monkeypatch):
    import dlcheck.compare as module

    monkeypatch.setattr(module, "_compare_tensor", lambda *a: 1 / 0)
    found = module.compare_safely(tensor([1.0]), tensor([1.0]), POLICY)
    assert [m.kind for m in found] == ["error"] and "ZeroDivisionError" in found[0].message
