"""Plain-text rendering of decoded values: small tensors in full, large ones summarised."""

from __future__ import annotations

from typing import Any

from .wire import CallableRef, NumpyScalar, TensorData, Unsupported

FULL_TENSOR_ELEMENTS = 24
MAX_TEXT = 1200


REPR_DIGITS = 17  # enough significant digits to tell any two float64 apart: there, repr is used


def show(value: Any, indent: str = "", digits: int | None = None) -> str:
    """A compact, human-readable text for a value (one line when it fits). `digits`: significant
    digits of every float (default 10 for a number, 6 in a tensor)."""
    text = _show(value, indent, digits)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"


def show_pair(expected: Any, got: Any, indent: str = "") -> tuple[str, str]:
    """Both values as `show` gives them, with more digits where the usual ones would print two
    different values alike (a near miss: 0.351857 and 0.351857)."""
    usual = show(expected, indent), show(got, indent)
    if usual[0] != usual[1]:
        return usual
    for digits in (10, 14, REPR_DIGITS):
        longer = show(expected, indent, digits), show(got, indent, digits)
        if longer[0] != longer[1]:
            return longer
    return usual  # the same values (a type or shape differs): nothing to tell apart


def format_float(x: float, digits: int = 6) -> str:
    """Like %g, but a float always looks like one (6.0, not 6); repr from REPR_DIGITS on."""
    text = repr(float(x)) if digits >= REPR_DIGITS else f"{x:.{digits}g}"
    return text if any(c in text for c in ".ein") else text + ".0"


def format_distinct(a: float, b: float, digits: int = 6) -> tuple[str, str]:
    """Both floats with `digits` significant digits, or with as many more as it takes for two
    different values to print differently."""
    for more in range(digits, REPR_DIGITS + 1):
        pair = format_float(a, more), format_float(b, more)
        if pair[0] != pair[1] or a == b or (a != a and b != b):  # equal (or both NaN): no need
            return pair
    return pair


def _show(value: Any, indent: str, digits: int | None) -> str:
    if isinstance(value, TensorData):
        return _show_tensor(value, indent, digits)
    if isinstance(value, NumpyScalar):
        return f"numpy.{value.dtype}({value.value!r})"
    if isinstance(value, CallableRef):
        return f"<callable: {value.label or value.factory}>"
    if isinstance(value, Unsupported):
        return f"<{value.type_name}{': ' + value.detail if value.detail else ''}>"
    if isinstance(value, float):
        return format_float(value, digits or 10)
    if isinstance(value, tuple):
        inner = ", ".join(_show(v, indent, digits) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, indent, digits) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v, indent, digits)}" for k, v in value.items()) + "}"
    return repr(value)


def _show_tensor(t: TensorData, indent: str, digits: int | None) -> str:
    import numpy as np  # only grading results hold tensors; `dlcheck list` never pays for numpy

    kind = "tensor" if type(t) is TensorData else "ndarray"
    header = f"{kind}(dtype={t.dtype}, shape={list(t.shape)})"
    if t.numel == 0:
        return header + " []"
    if t.numel <= FULL_TENSOR_ELEMENTS:
        # NumPy's precision counts digits after the point; "unique" is the shortest exact text.
        exact = digits is not None and digits >= REPR_DIGITS
        body = np.array2string(t.array, precision=digits or 6, separator=", ", suppress_small=False,
                               max_line_width=100, floatmode="unique" if exact else "maxprec")
        if "\n" in body:
            body = body.replace("\n", "\n" + indent + "  ")
            return f"{header}\n{indent}  {body}"
        return f"{header} {body}"
    a = t.array.astype(np.float64)
    finite = a[np.isfinite(a)]
    g = f".{digits or 4}g"
    stats = (f"min {finite.min():{g}}, max {finite.max():{g}}, mean {finite.mean():{g}}"
             if finite.size else "no finite values")
    nonfinite = a.size - finite.size
    return f"{header} [{stats}{f', {nonfinite} non-finite' if nonfinite else ''}]"
