"""Grading-process side of symbolic checking: run the worker in a bounded subprocess.

Never imports sympy and never raises for anything a student typed: every failure (time out,
crash, garbage output) becomes a response with status "error" and a clear message.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .protocol import SymbolicRequest, decode_response, encode_request, error_response

STARTUP_MARGIN = 2.0       # seconds on top of the budget: interpreter start and sympy import
MAX_OUTPUT_BYTES = 1 << 20
WORKER = [sys.executable, "-P", "-m", "dlcheck.symbolic.worker"]


def check_symbolic(request: SymbolicRequest | dict, timeout: float) -> dict:
    """Judge the request's answer in a fresh worker; gives up after `timeout` (+ startup) seconds.

    The reply is a dict with every field of `protocol.SymbolicResponse`. A dict request is sent as
    it is: the worker validates what it receives."""
    try:
        payload = encode_request(request)
    except (TypeError, ValueError, OverflowError) as exc:
        return error_response(f"The symbolic checker could not send the request ({exc}).")
    try:
        with tempfile.TemporaryDirectory(prefix="dlcheck-symbolic-") as workdir:
            request_file = Path(workdir) / "request.msgpack"
            request_file.write_bytes(payload)
            return _run_worker(request_file, workdir, timeout)
    except OSError as exc:  # no temporary space, no process slots, …
        return error_response(f"The symbolic checker could not run ({exc.strerror or exc}).")


def _run_worker(request_file: Path, workdir: str, timeout: float) -> dict:
    from ..sandbox import child_environment

    env = child_environment()
    try:
        with open(request_file, "rb") as stdin:
            process = subprocess.Popen(WORKER, stdin=stdin, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, cwd=workdir, env=env,
                                       start_new_session=True)
    except OSError as exc:
        return error_response(f"The symbolic checker could not start ({exc.strerror or exc}).")
    try:
        output, outcome = _read_output(process, time.monotonic() + timeout + STARTUP_MARGIN)
    finally:
        _kill_group(process)
        process.stdout.close()
        process.wait()
    if outcome == "timeout":
        return error_response(f"The symbolic checker ran out of time ({timeout:g} s); "
                              "try writing your answer in a simpler form.")
    if outcome == "too_much":
        return error_response("The symbolic checker produced too much output; this is a grader "
                              "problem, please report it.")
    return _parse_reply(output, process.returncode)


def _read_output(process: subprocess.Popen, deadline: float) -> tuple[bytes, str]:
    """Read stdout until EOF and exit, the deadline, or the size cap: (bytes, outcome)."""
    chunks, size, fd = [], 0, process.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", "timeout"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_OUTPUT_BYTES:
            return b"", "too_much"
        chunks.append(chunk)
    try:
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return b"", "timeout"
    return b"".join(chunks), "done"


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


def _parse_reply(output: bytes, returncode: int | None) -> dict:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return error_response("The symbolic checker ran out of time or memory; "
                              "try writing your answer in a simpler form.")
    response = decode_response(output)
    if response is None:
        reason = f"exit code {returncode}" if returncode else "no valid reply"
        return error_response(f"The symbolic checker crashed ({reason}); this is a grader problem, "
                              "please report it.")
    return response
