"""Loading Python modules from a file or from source text, without touching sys.path."""

from __future__ import annotations

import linecache
import sys
import types
from pathlib import Path


def module_from_source(source: str, filename: str, name: str) -> types.ModuleType:
    """Execute `source` as module `name`; tracebacks and errors point at `filename`."""
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    code = compile(source, filename, "exec", dont_inherit=True)
    # Tracebacks show the source that actually ran, even if the file changes or is unreadable here.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, module.__dict__)
    return module


def load_module(path: str | Path, name: str) -> types.ModuleType:
    path = Path(path)
    return module_from_source(path.read_text(encoding="utf-8"), str(path), name)
