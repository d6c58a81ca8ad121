"""The student role: imports the submission and calls it on each case, in a sandboxed process.

Everything this process says is a claim: the grader decodes it as plain data, checks exact types
and compares it with expected values that never existed here. Messages (one per event):
  {"event": "isolation", "layers": [...]}        first, before the submission is imported
  {"event": "rule", "rule", "api"}               a trapped forbidden API was called
  {"event": "syntax_error" | "import_error" | "missing_function", ...}
  {"event": "ready"}                             the module imported, the function exists
  {"event": "result", "case": i, "value": wire} | {"event": "exception", "case": i, "error": {...}}
  {"event": "done"}
"""

from __future__ import annotations

import builtins
import os
import sys
import traceback
from typing import Any

from . import rules
from .modules import module_from_source
from .sandbox import audit
from .reference import callable_builder
from .wire import decode_torch, encode

MAX_MESSAGE_CHARS = 2000


def serve(channel, isolation: list[str]) -> None:
    job = channel.receive()
    rules.install_traps(job.get("rules", []), lambda rule, api: channel.send(
        {"event": "rule", "rule": rule, "api": api}))
    fixtures = None
    if job.get("fixtures_source") is not None:
        fixtures = module_from_source(job["fixtures_source"], job["fixtures_path"], "dlcheck_fixtures")
    build = callable_builder(fixtures)
    # Every case's arguments are built before the submission is imported: whatever it patches
    # (builtins, torch, numpy), it cannot break the decoding of later cases.
    all_args = [[decode_torch(value, build) for value in wired.values()] for wired in job["cases"]]
    audit.install(os.getcwd())
    # Sent before any submission code runs, so the grader can trust it.
    channel.send({"event": "isolation", "layers": isolation + ["audit-hooks"]})
    restore_builtins = _builtins_snapshot()
    function = _import_entry_point(job, channel, restore_builtins)
    if function is None:
        return
    channel.send({"event": "ready"})
    for index, args in enumerate(all_args):
        try:
            value = function(*args)
        except BaseException as exc:  # noqa: B902 - SystemExit and friends are reported, not obeyed
            restore_builtins()
            channel.send({"event": "exception", "case": index, "error": describe(exc, job["filename"])})
            continue
        restore_builtins()
        channel.send({"event": "result", "case": index, "value": encode(value)})
    channel.send({"event": "done"})


def _builtins_snapshot():
    """A function that undoes any change the submission makes to builtins (isinstance, type, …),
    so that the worker's own reporting keeps working; it is feedback, not a security boundary."""
    pristine = dict(vars(builtins))

    def restore() -> None:
        current = vars(builtins)
        for name in [n for n in current if n not in pristine]:
            del current[name]
        current.update(pristine)

    return restore


def _import_entry_point(job: dict, channel, restore_builtins):
    filename = job["filename"]
    try:
        module = module_from_source(job["source"], filename, "submission")
    except SyntaxError as exc:
        channel.send({"event": "syntax_error", "line": exc.lineno, "offset": exc.offset,
                      "text": (exc.text or "").rstrip()[:200], "message": exc.msg})
        return None
    except BaseException as exc:  # noqa: B902
        restore_builtins()
        channel.send({"event": "import_error", "error": describe(exc, filename)})
        return None
    restore_builtins()
    function = getattr(module, job["entry_point"], None)
    if not callable(function):
        available = sorted(name for name, obj in vars(module).items()
                           if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", "") == "submission")
        channel.send({"event": "missing_function", "available": available[:20]})
        return None
    return function


def describe(exc: BaseException, filename: str) -> dict[str, Any]:
    """The exception, with its traceback trimmed to frames in the student's own file."""
    frames = [
        {"line": frame.lineno, "function": frame.name, "code": (frame.line or "")[:200]}
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == filename
    ]
    message = _safe(lambda: str(exc))[:MAX_MESSAGE_CHARS]
    if isinstance(exc, NotImplementedError) and not message:
        message = "not implemented yet (the function still raises NotImplementedError)"
    elif isinstance(exc, SystemExit):
        message = f"your code called sys.exit({message}); return a value instead"
    return {"type": _safe(lambda: type(exc).__name__), "message": message,
            "frames": frames[-8:], "forbidden": isinstance(exc, rules.ForbiddenAPI)}


def _safe(get) -> str:
    try:
        return str(get())
    except BaseException:  # noqa: B902 - a hostile __str__ must not kill the report
        return "<unprintable>"


if __name__ == "__main__":  # pragma: no cover - only the zygote starts this role
    sys.exit("dlcheck.worker runs inside the sandbox; use `dlcheck grade`")
