"""Plain-text rendering of decoded values: small tensors in full, large ones summarised."""

from __future__ import annotations

from typing import Any

from .wire import CallableRef, NumpyScalar, TensorData, Unsupported

FULL_TENSOR_ELEMENTS = 24
MAX_TEXT = 1200


def show(value: Any, indent: str = "") -> str:
    """A compact, human-readable text for a value (one line when it fits)."""
    text = _show(value, indent)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"


def format_float(x: float, digits: int = 6) -> str:
    """Like %g, but a float always looks like one (6.0, not 6)."""
    text = f"{x:.{digits}g}"
    return text if any(c in text for c in ".ein") else text + ".0"


def _show(value: Any, indent: str) -> str:
    if isinstance(value, TensorData):
        return _show_tensor(value, indent)
    if isinstance(value, NumpyScalar):
        return f"numpy.{value.dtype}({value.value!r})"
    if isinstance(value, CallableRef):
        return f"<callable: {value.label or value.factory}>"
    if isinstance(value, Unsupported):
        return f"<{value.type_name}{': ' + value.detail if value.detail else ''}>"
    if isinstance(value, float):
        return format_float(value, 10)
    if isinstance(value, tuple):
        inner = ", ".join(_show(v, indent) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, indent) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v, indent)}" for k, v in value.items()) + "}"
    return repr(value)


def _show_tensor(t: TensorData, indent: str) -> str:
    import numpy as np  # only grading results hold tensors; `dlcheck list` never pays for numpy

    kind = "tensor" if type(t) is TensorData else "ndarray"
    header = f"{kind}(dtype={t.dtype}, shape={list(t.shape)})"
    if t.numel == 0:
        return header + " []"
    if t.numel <= FULL_TENSOR_ELEMENTS:
        body = np.array2string(t.array, precision=6, separator=", ", suppress_small=False,
                               max_line_width=100)
        if "\n" in body:
            body = body.replace("\n", "\n" + indent + "  ")
            return f"{header}\n{indent}  {body}"
        return f"{header} {body}"
    a = t.array.astype(np.float64)
    finite = a[np.isfinite(a)]
    stats = (f"min {finite.min():.4g}, max {finite.max():.4g}, mean {finite.mean():.4g}"
             if finite.size else "no finite values")
    nonfinite = a.size - finite.size
    return f"{header} [{stats}{f', {nonfinite} non-finite' if nonfinite else ''}]"
