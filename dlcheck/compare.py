"""Comparison of a submission's output with the expected output, as plain decoded data.

Exact types first (a tensor subclass, a NumPy array or a float where an int belongs is a type
mismatch, whatever its values), then structure, shape and dtype, then values with per-output
rtol/atol in the manner of torch.testing.assert_close: the mismatch count, the worst element and
its index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .display import format_distinct, format_float
from .wire import ArrayData, CallableRef, NumpyScalar, TensorData, Unsupported

INTEGER_DTYPES = {"int64", "int32", "int16", "int8", "uint8"}
FLOAT_DTYPES = {"float64", "float32", "float16"}
FLOAT_MAX_INT = int(np.finfo(np.float64).max)


@dataclass
class Mismatch:
    path: str  # "" for the whole output, else e.g. "W_hh" or "[1]"
    kind: str  # type | structure | shape | dtype | value
    message: str
    worst: dict[str, Any] | None = None  # index, expected, got, abs_diff, allowed
    mismatched: int = 0
    total: int = 0
    tolerance: dict[str, float] = field(default_factory=dict)


def compare_safely(expected: Any, got: Any, policy: dict) -> list[Mismatch]:
    """`compare`, which never raises: a value it cannot handle is one mismatch of kind "error"."""
    try:
        return compare(expected, got, policy)
    except Exception as exc:  # noqa: BLE001 - plain data from a submission must never crash the grader
        return [Mismatch("", "error", f"dlcheck could not compare this value ({type(exc).__name__})")]


def compare(expected: Any, got: Any, policy: dict, path: str = "") -> list[Mismatch]:
    """Every mismatch between `got` and `expected` (empty when they agree)."""
    if isinstance(expected, TensorData) and not isinstance(expected, ArrayData):
        return _compare_tensor(expected, got, policy, path)
    if isinstance(expected, bool):
        return _compare_bool(expected, got, path)
    if isinstance(expected, int):
        return _compare_int(expected, got, path)
    if isinstance(expected, float):
        return _compare_float(expected, got, policy, path)
    if isinstance(expected, (tuple, list)):
        return _compare_sequence(expected, got, policy, path)
    if isinstance(expected, dict):
        return _compare_dict(expected, got, policy, path)
    return [Mismatch(path, "type", f"the reference returned an unsupported {type(expected).__name__}")]


def describe_type(value: Any) -> str:
    if isinstance(value, ArrayData):
        return f"numpy.ndarray (dtype {value.dtype}, shape {list(value.shape)})"
    if isinstance(value, TensorData):
        return f"torch.Tensor (dtype {value.dtype}, shape {list(value.shape)})"
    if isinstance(value, NumpyScalar):
        return f"numpy.{value.dtype}"
    if isinstance(value, Unsupported):
        return value.type_name + (f" ({value.detail})" if value.detail else "")
    if isinstance(value, CallableRef):
        return "a callable"
    if value is None:
        return "None"
    return type(value).__name__


def _type_mismatch(path: str, wanted: str, got: Any, advice: str = "") -> list[Mismatch]:
    message = f"expected {wanted}, got {describe_type(got)}"
    if isinstance(got, Unsupported) and "Tensor" in got.type_name and got.type_name != "torch.Tensor":
        advice = advice or "return a plain torch.Tensor, not a subclass or wrapper"
    return [Mismatch(path, "type", message + (f": {advice}" if advice else ""))]


def _tolerance(policy: dict, path: str) -> dict[str, float]:
    top = path.split(".")[0].split("[")[0] if path else ""
    index_key = path[1:].split("]")[0] if path.startswith("[") else None
    override = policy.get("outputs", {}).get(top) or policy.get("outputs", {}).get(index_key or "") or {}
    return {
        "rtol": override.get("rtol") if override.get("rtol") is not None else policy.get("rtol", 1e-7),
        "atol": override.get("atol") if override.get("atol") is not None else policy.get("atol", 1e-9),
    }


def _compare_tensor(expected: TensorData, got: Any, policy: dict, path: str) -> list[Mismatch]:
    wanted = f"a torch.Tensor of shape {list(expected.shape)}"
    if not isinstance(got, TensorData):
        advice = "convert with torch.from_numpy(...)" if isinstance(got, ArrayData) else ""
        return _type_mismatch(path, wanted, got, advice)
    if isinstance(got, ArrayData):
        return _type_mismatch(path, wanted, got, "convert with torch.from_numpy(...)")
    if got.shape != expected.shape:
        return [Mismatch(path, "shape", f"shape {list(got.shape)}, expected {list(expected.shape)}")]
    dtype_problem = _dtype_problem(expected.dtype, got.dtype, policy.get("dtype", "strict"))
    if dtype_problem:
        return [Mismatch(path, "dtype", dtype_problem)]
    return _compare_values(expected.array, got.array, expected.dtype, _tolerance(policy, path), path)


def _dtype_problem(expected: str, got: str, policy: str) -> str | None:
    if expected == got:
        return None
    if policy == "any_float" and expected in FLOAT_DTYPES and got in FLOAT_DTYPES:
        return None
    return f"dtype {got}, expected {expected}"


def _compare_values(expected: np.ndarray, got: np.ndarray, dtype: str, tol: dict, path: str) -> list[Mismatch]:
    total = int(expected.size)
    if dtype not in FLOAT_DTYPES:
        wrong = expected != got
        allowed_extra = np.zeros(expected.shape)
        diff = np.abs(expected.astype(np.float64) - got.astype(np.float64))
    else:
        e, g = expected.astype(np.float64), got.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(g - e)
            allowed = tol["atol"] + tol["rtol"] * np.abs(e)
            same_special = (np.isnan(e) & np.isnan(g)) | (np.isinf(e) & (e == g))
            # With an infinite expected value the tolerance is infinite too: only an exact match counts.
            close = (diff <= allowed) & np.isfinite(e) & np.isfinite(g)
            wrong = ~(close | same_special)
        allowed_extra = allowed
    count = int(np.count_nonzero(wrong))
    if count == 0:
        return []
    with np.errstate(invalid="ignore"):
        excess = np.where(wrong, np.nan_to_num(diff - allowed_extra, nan=np.inf, posinf=np.inf), -np.inf)
    flat = int(np.argmax(excess))
    index = tuple(int(i) for i in np.unravel_index(flat, expected.shape)) if expected.shape else ()
    worst = {"index": list(index), "expected": expected.reshape(-1)[flat].item(),
             "got": got.reshape(-1)[flat].item(), "abs_diff": float(diff.reshape(-1)[flat])}
    where = f" at index {list(index)}" if index else ""
    got_text, expected_text = _short_pair(worst["got"], worst["expected"])
    message = (f"{count} of {total} elements differ; worst{where}: got {got_text}, "
               f"expected {expected_text} (|diff| {_short(worst['abs_diff'])})")
    return [Mismatch(path, "value", message, worst, count, total, tol)]


def _short(x: Any) -> str:
    return format_float(x) if isinstance(x, float) else str(x)


def _short_pair(got: Any, expected: Any) -> tuple[str, str]:
    """Both values, floats with as many digits as it takes to print two different ones differently."""
    if isinstance(got, float) and isinstance(expected, float):
        return format_distinct(got, expected)
    return _short(got), _short(expected)


def _compare_int(expected: int, got: Any, path: str) -> list[Mismatch]:
    if isinstance(got, NumpyScalar) and got.dtype in INTEGER_DTYPES:
        got = got.value
    if not isinstance(got, int) or isinstance(got, bool):
        advice = ""
        if isinstance(got, (float, NumpyScalar)):
            advice = "sizes are integers: use floor division (//) or int(math.floor(...))"
        elif isinstance(got, TensorData):
            advice = "return a Python int (e.g. with .item())"
        return _type_mismatch(path, "an int", got, advice)
    if got != expected:
        return [Mismatch(path, "value", f"got {got}, expected {expected}",
                         {"index": [], "expected": expected, "got": got, "abs_diff": abs(got - expected)}, 1, 1)]
    return []


def _compare_bool(expected: bool, got: Any, path: str) -> list[Mismatch]:
    if isinstance(got, NumpyScalar) and got.dtype == "bool":
        got = got.value
    if not isinstance(got, bool):
        return _type_mismatch(path, "a bool", got)
    return [] if got == expected else [Mismatch(path, "value", f"got {got}, expected {expected}", None, 1, 1)]


def _compare_float(expected: float, got: Any, policy: dict, path: str) -> list[Mismatch]:
    if isinstance(got, NumpyScalar) and got.dtype != "bool":
        got = float(got.value)
    if isinstance(got, int) and not isinstance(got, bool):
        if abs(got) > FLOAT_MAX_INT:
            return [Mismatch(path, "value", f"got an integer too large for a float ({got.bit_length()} bits), "
                                            f"expected {_short(expected)}")]
        got = float(got)
    if not isinstance(got, float):
        return _type_mismatch(path, "a float", got)
    return _compare_values(np.array(expected), np.array(got), "float64", _tolerance(policy, path), path)


def _compare_sequence(expected: tuple | list, got: Any, policy: dict, path: str) -> list[Mismatch]:
    wanted = f"a {type(expected).__name__} of {len(expected)} items"
    if not isinstance(got, (tuple, list)):
        return _type_mismatch(path, wanted, got)
    if len(got) != len(expected):
        return [Mismatch(path, "structure", f"{len(got)} items, expected {len(expected)}")]
    found = []
    for i, (e, g) in enumerate(zip(expected, got)):
        found += compare(e, g, policy, _item_path(path, i))
    return found


def _compare_dict(expected: dict, got: Any, policy: dict, path: str) -> list[Mismatch]:
    if not isinstance(got, dict):
        return _type_mismatch(path, f"a dict with keys {sorted(expected)}", got)
    found = []
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing:
        found.append(Mismatch(path, "structure", f"missing key(s) {missing}"))
    if extra:
        found.append(Mismatch(path, "structure", f"unexpected key(s) {[str(k) for k in extra][:10]}"))
    for key in expected:
        if key in got:
            found += compare(expected[key], got[key], policy, _key_path(path, key))
    return found


def _item_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


def _key_path(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def exactly_compared_floats(expected: Any, policy: dict, path: str = "") -> list[str]:
    """The paths of the float outputs in `expected` that `policy` compares with rtol = atol = 0
    ("" for the whole output): there, a correct answer off by float64 rounding fails."""
    if isinstance(expected, (tuple, list)):
        return [p for i, e in enumerate(expected) for p in exactly_compared_floats(e, policy, _item_path(path, i))]
    if isinstance(expected, dict):
        return [p for k, e in expected.items() for p in exactly_compared_floats(e, policy, _key_path(path, k))]
    is_float = isinstance(expected, float) or (type(expected) is TensorData and expected.dtype in FLOAT_DTYPES)
    tolerance = _tolerance(policy, path)
    return [path] if is_float and tolerance["rtol"] == tolerance["atol"] == 0 else []
