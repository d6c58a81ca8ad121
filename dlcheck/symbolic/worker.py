"""The symbolic worker: `python -m dlcheck.symbolic.worker`, one msgpack request in, one response out.

It limits its own resources before importing sympy (address space, CPU time, open files,
file writes), keeps stray prints off stdout, and always exits 0 with a well-formed response;
the client treats anything else as a crash.
"""

from __future__ import annotations

import math
import os
import resource
import stat
import sys
import time

from .protocol import (
    MalformedRequest, SymbolicRequest, as_plain_data, decode_request, encode_response, error_response,
)

MAX_REQUEST_BYTES = 4 << 20
MEMORY_BYTES = 2 << 30
OPEN_FILES = 16
DEFAULT_BUDGET = 8.0
REPLY_MARGIN = 0.3  # seconds kept back to write the reply


def main() -> int:
    started = time.monotonic()
    reply_to = sys.stdout
    sys.stdout = sys.stderr  # whatever else prints must not corrupt the one reply
    try:
        reply = encode_response(_serve(sys.stdin.buffer.read(MAX_REQUEST_BYTES), started))
    except MemoryError:
        reply = encode_response(error_response("The symbolic checker ran out of memory; "
                                               "try writing your answer in a simpler form."))
    except BaseException as exc:  # noqa: BLE001 - the reply must always be written
        reply = encode_response(error_response(f"The symbolic checker failed ({type(exc).__name__}); "
                                               "this is a grader problem, please report it."))
    reply_to.buffer.write(reply)
    reply_to.flush()
    return 0


def _serve(raw: bytes, started: float) -> dict:
    try:
        request = decode_request(raw)
    except MalformedRequest as exc:
        return error_response(f"The symbolic checker received a malformed request ({exc}).")
    budget = _budget(request)
    _limit_resources(budget)
    from .judge import judge  # imports sympy, under the limits
    from .timebox import Deadline, OutOfTime

    deadline = Deadline(budget - (time.monotonic() - started) - REPLY_MARGIN)
    try:
        return judge(as_plain_data(request), deadline)
    except OutOfTime:
        return error_response(f"Your answer could not be checked within {budget:g} s; "
                              "try writing it in a simpler equivalent form.")


def _budget(request: SymbolicRequest) -> float:
    value = request.budget_seconds
    if math.isfinite(value) and value > 0:
        return min(float(value), 120.0)
    return DEFAULT_BUDGET


def _limit_resources(budget: float) -> None:
    cpu = math.ceil(budget) + 5  # CPU seconds; the wall-clock deadline normally ends work first
    limits = [(resource.RLIMIT_AS, MEMORY_BYTES), (resource.RLIMIT_CPU, cpu),
              (resource.RLIMIT_NOFILE, OPEN_FILES)]
    if not stat.S_ISREG(os.fstat(1).st_mode):  # a reply redirected into a file must still be written
        limits.append((resource.RLIMIT_FSIZE, 0))
    for kind, soft in limits:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        try:
            resource.setrlimit(kind, (soft, hard))
        except (ValueError, OSError):
            pass  # a limit the platform refuses is not worth failing the check for


if __name__ == "__main__":
    sys.exit(main())
