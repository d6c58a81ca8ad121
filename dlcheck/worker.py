"""The student role: imports the submission and calls it on each case, in a sandboxed process.

Everything this process says is a claim: the grader decodes it as plain data (bounded, typed),
checks exact types and compares it with expected values that never existed here. It receives one
`messages.StudentJob` and sends `messages.WorkerEvent`s, one per frame:
  Isolation                  first, before the submission is imported
  RuleBroken                 a trapped forbidden API was called
  SyntaxProblem | ImportFailed | MissingFunction
  Ready                      the module imported, the function exists
  CaseResult | CaseRaised    one per case, in order (the grader knows how many it sent); a result
                             says which arguments the call changed in place (dlcheck.input_guard)
"""

from __future__ import annotations

import builtins
import os
import sys
import traceback

import msgspec

from . import input_guard, rules
from .messages import (
    ERROR_MESSAGE_CHARS, ERROR_TYPE_CHARS, FRAME_CODE_CHARS, FUNCTION_NAME_CHARS, MAX_FRAMES,
    MAX_LISTED_FUNCTIONS, NAME_CHARS, CaseRaised, CaseResult, ErrorFrame, ErrorInfo, ImportFailed,
    Isolation, MissingFunction, Ready, RuleBroken, StudentJob, SyntaxProblem, Value,
)
from .modules import module_from_source
from .reference import callable_builder
from .sandbox import audit
from .wire import encode, torch_value, unsupported


def serve(channel, isolation: list[str]) -> None:
    job = channel.receive(StudentJob[Value])
    rules.install_traps([msgspec.structs.asdict(r) for r in job.rules], _rule_reporter(channel))
    fixtures = None
    if job.fixtures_source is not None:
        fixtures = module_from_source(job.fixtures_source, job.fixtures_filename, "dlcheck_fixtures")
    build = callable_builder(fixtures)
    # Every case's arguments are built before the submission is imported: whatever it patches
    # (builtins, torch, numpy), it cannot break the decoding of later cases.
    all_args = [[torch_value(value, build) for value in case.values()] for case in job.cases]
    # Likewise what each call must leave unchanged is recorded before any submission code runs.
    exempt = frozenset(job.modifies)
    watched = [input_guard.watch(dict(zip(case, args)), exempt) for case, args in zip(job.cases, all_args)]
    audit.install(os.getcwd())
    # Sent before any submission code runs, so the grader can trust it.
    channel.send(Isolation(isolation + ["audit-hooks"]))
    restore_builtins = _builtins_snapshot()
    function = _import_entry_point(job, channel, restore_builtins)
    if function is None:
        return
    channel.send(Ready())
    for index, args in enumerate(all_args):
        try:
            value = function(*args)
        except BaseException as exc:  # noqa: B902 - SystemExit and friends are reported, not obeyed
            restore_builtins()
            channel.send(CaseRaised(index, describe(exc, job.filename)))
            continue
        restore_builtins()
        changed, unchecked = input_guard.changes(watched[index])
        channel.send(CaseResult(index, _encoded(value), changed, unchecked))


def _rule_reporter(channel):
    """Sends a broken rule to the grader (rules.install_traps reports each (rule, API) only once)."""
    return lambda rule, api: channel.send(RuleBroken(rule[:NAME_CHARS], api[:NAME_CHARS]))


def _encoded(value) -> object:
    """The value as wire nodes; one that breaks the encoder (a meta tensor …) is reported by type."""
    try:
        return encode(value)
    except Exception as exc:  # noqa: BLE001 - whatever the submission returned, the reply must go out
        return unsupported(_safe(lambda: type(value).__qualname__, NAME_CHARS), f"cannot be sent: {type(exc).__name__}")


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


def _import_entry_point(job: StudentJob, channel, restore_builtins):
    filename = job.filename
    try:
        module = module_from_source(job.source, filename, "submission")
    except SyntaxError as exc:
        channel.send(SyntaxProblem(exc.lineno, exc.offset, _safe(lambda: (exc.text or "").rstrip(), FRAME_CODE_CHARS),
                                   _safe(lambda: exc.msg, ERROR_MESSAGE_CHARS)))
        return None
    except BaseException as exc:  # noqa: B902
        restore_builtins()
        channel.send(ImportFailed(describe(exc, filename)))
        return None
    restore_builtins()
    function = getattr(module, job.entry_point, None)
    if not callable(function):
        available = sorted(name[:FUNCTION_NAME_CHARS] for name, obj in vars(module).items()
                           if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", "") == "submission")
        channel.send(MissingFunction(available[:MAX_LISTED_FUNCTIONS]))
        return None
    return function


def describe(exc: BaseException, filename: str) -> ErrorInfo:
    """The exception, with its traceback trimmed to frames in the student's own file."""
    frames = [
        ErrorFrame(frame.lineno, frame.name[:FUNCTION_NAME_CHARS], (frame.line or "")[:FRAME_CODE_CHARS])
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == filename
    ]
    message = _safe(lambda: str(exc), ERROR_MESSAGE_CHARS)
    if isinstance(exc, NotImplementedError) and not message:
        message = "not implemented yet (the function still raises NotImplementedError)"
    elif isinstance(exc, SystemExit):
        message = f"your code called sys.exit({message}); return a value instead"[:ERROR_MESSAGE_CHARS]
    return ErrorInfo(_safe(lambda: type(exc).__name__, ERROR_TYPE_CHARS), message, frames[-MAX_FRAMES:],
                     isinstance(exc, rules.ForbiddenAPI))


def _safe(get, max_chars: int) -> str:
    """str(get()) cut to `max_chars`, or a placeholder when it cannot be made or sent."""
    try:
        text = str(get())[:max_chars]
        text.encode("utf-8")  # lone surrogates cannot be sent
        return text
    except BaseException:  # noqa: B902 - a hostile __str__ must not kill the report
        return "<unprintable>"


if __name__ == "__main__":  # pragma: no cover - only the zygote starts this role
    sys.exit("dlcheck.worker runs inside the sandbox; use `dlcheck grade`")
