"""JSON that every parser reads: Python's json writes NaN and Infinity, which JSON has not (a
JavaScript reader, jq and most platforms reject the whole document). A non-finite number, such
as the worst element of a NaN-producing submission, is written as the string "NaN",
"Infinity" or "-Infinity" instead (result_schema types those fields as number or string)."""

from __future__ import annotations

import json
import math
from typing import Any

_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def dumps(document: Any, **options: Any) -> str:
    return json.dumps(finite(document), allow_nan=False, **options)


def finite(value: Any) -> Any:
    """`value` with every non-finite float (at any depth) replaced by its name."""
    if isinstance(value, float) and not math.isfinite(value):
        return _NAMES[repr(value)]
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value
