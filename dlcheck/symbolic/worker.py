"""One symbolic answer, judged in a child the symbolic server forked for it (server.py).

The child reads one msgpack request (at most MAX_REQUEST_BYTES) from its socket, limits its own
resources (address space, CPU time, open files, file writes) before judging, and always writes a
well-formed response; the client treats anything else (no reply, a reply that does not decode, a
signal) as a crash.
"""

from __future__ import annotations

import math
import socket
import time

import msgspec

from ..sandbox.channel import Channel, ChannelClosed, ChannelOverflow
from ..wire import WireError
from .protocol import (
    MalformedRequest, SymbolicRequest, as_plain_data, decode_request, encode_response, error_response,
)

MAX_REQUEST_BYTES = 4 << 20
MEMORY_BYTES = 2 << 30  # the child's whole address space, sympy's own included
OPEN_FILES = 16
DEFAULT_BUDGET = 8.0
REPLY_MARGIN = 0.3  # seconds kept back to write the reply


def serve(sock: socket.socket) -> None:
    """Judge the one request the grader sends on `sock` (one frame, sandbox/channel.py) and reply."""
    started = time.monotonic()
    channel = Channel(sock, MAX_REQUEST_BYTES)
    try:
        raw = bytes(channel.receive(msgspec.Raw))
    except ChannelClosed:
        return  # the grader gave up before sending it all
    except (ChannelOverflow, WireError):
        raw = b""  # larger than allowed, or not msgpack: answered as a malformed request
    channel.send(msgspec.Raw(answer(raw, started)))


def answer(raw: bytes, started: float) -> bytes:
    """The encoded reply to the request `raw`; never raises."""
    try:
        return encode_response(_serve(raw, started))
    except MemoryError:
        return encode_response(error_response("The symbolic checker ran out of memory; "
                                              "try writing your answer in a simpler form."))
    except BaseException as exc:  # noqa: BLE001 - the reply must always be written
        return encode_response(error_response(f"The symbolic checker failed ({type(exc).__name__}); "
                                              "this is a grader problem, please report it."))


def _serve(raw: bytes, started: float) -> dict:
    try:
        request = decode_request(raw)
    except MalformedRequest as exc:
        return error_response(f"The symbolic checker received a malformed request ({exc}).")
    budget = _budget(request)
    _limit_resources(budget)
    from .judge import judge  # imported by the server already: sympy is loaded before the fork
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
    try:
        import resource
    except ImportError:  # Windows: the client's wall-clock deadline is the only bound (docs/security.md)
        return
    cpu = math.ceil(budget) + 5 + int(time.process_time())  # CPU seconds; the wall-clock deadline normally ends work first
    limits = [(resource.RLIMIT_AS, MEMORY_BYTES), (resource.RLIMIT_CPU, cpu),
              (resource.RLIMIT_NOFILE, OPEN_FILES), (resource.RLIMIT_FSIZE, 0)]
    for kind, soft in limits:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        try:
            resource.setrlimit(kind, (soft, hard))
        except (ValueError, OSError):
            pass  # a limit the platform refuses is not worth failing the check for
