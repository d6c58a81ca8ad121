"""Grading-process side of symbolic checking: a warm server (server.py) forks one child per answer.

Never imports sympy and never raises for anything a student typed: every failure (time out, crash,
garbage, too much output, the server gone) becomes a response with status "error" and a clear
message.

A `SymbolicChecker` starts the server on its first request: one Python start and one sympy import
per grading run, then a fork per answer. Several threads may check at once: each request has its
own socket to its own child, and only the short control exchanges (spawn, reap) take turns. A
server that died is replaced by the next request. Where the host cannot fork (sandbox/host.py:
Windows), `_FreshInterpreters` stands in for the server: each answer gets a fresh interpreter that
imports sympy itself (spawned.py), a second or two more per answer.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import msgspec

from ..errors import GraderFault
from ..messages import SYMBOLIC_REPLY_TYPES, ReapReply, ReapRequest, SymbolicSpawn
from ..sandbox import child_environment, control
from ..sandbox.channel import Channel, ChannelClosed, ChannelOverflow, ChannelTimeout
from ..wire import WireError
from .protocol import SymbolicRequest, decode_response, encode_request, error_response
from .worker import MAX_REQUEST_BYTES

SERVER = [sys.executable, "-P", "-m", "dlcheck.symbolic.server"]
MARGIN = 1.0           # seconds on top of the timeout: the fork, sending the request, the reply
START_SECONDS = 60.0   # the server's start-up (Python, the sympy import, the warm-up), on a busy machine
CONTROL_SECONDS = 10.0  # one control exchange with a running server
MAX_OUTPUT_BYTES = 1 << 20
SPAWN_ATTEMPTS = 2     # a server that died just as we asked is replaced once


class _Server:
    """One running symbolic server: the process, and our end of its control socket."""

    def __init__(self) -> None:
        self.control, self.process = control.start_server(
            SERVER, cwd="/", output=subprocess.DEVNULL, env=child_environment())
        self.control.settimeout(START_SECONDS)  # its first reply waits for the sympy import

    def exchange(self, request: SymbolicSpawn | ReapRequest, fds: list[int] = ()):
        reply = control.exchange(self.control, request, SYMBOLIC_REPLY_TYPES[type(request)], fds)
        self.control.settimeout(CONTROL_SECONDS)
        return reply

    def start_child(self) -> tuple[int, socket.socket]:
        """A forked child and our end of its request socket. Raises ControlLost, or OSError when no
        socket can be made (no descriptors left)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with theirs:
                return self.exchange(SymbolicSpawn(), [theirs.fileno()]).pid, ours
        except BaseException:
            ours.close()
            raise

    def reap(self, pid: int, kill: bool) -> ReapReply:
        return self.exchange(ReapRequest(pid, kill))

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float) -> None:
        """Close the control socket (the server kills its children and exits); kill it after `grace` s."""
        self.control.close()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            control.killpg(self.process.pid)
            self.process.wait()


class _FreshInterpreters:
    """The server's part where there is no fork: one fresh interpreter per answer."""

    def __init__(self) -> None:
        from ..sandbox.host import current
        from ..sandbox.spawn import Spawner

        self._spawner = Spawner(current())
        self._reapers: dict[int, object] = {}

    def start_child(self) -> tuple[int, socket.socket]:
        try:
            pid, sock, reap = self._spawner.start("dlcheck.symbolic.spawned", {}, cwd=os.path.abspath(os.sep),
                                                  output=subprocess.DEVNULL)
        except GraderFault as exc:
            raise OSError(str(exc)) from None
        self._reapers[pid] = reap
        return pid, sock

    def reap(self, pid: int, kill: bool) -> ReapReply:
        return self._reapers.pop(pid)(kill)

    def alive(self) -> bool:
        return True

    def stop(self, grace: float) -> None:
        self._spawner.close()


class SymbolicChecker:
    """Judges symbolic requests in children of one warm server; use as a context manager."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # held for control exchanges and for replacing the server
        self._server: _Server | None = None

    @property
    def server_pid(self) -> int | None:
        """The running server's pid (None before the first request and after `close`)."""
        server = self._server
        return server.process.pid if server is not None and server.alive() else None

    def start(self) -> None:
        """Start the server now (its sympy import then overlaps with other start-up work); a server
        that cannot start is reported by the first `check`."""
        with self._lock:
            try:
                self._running_server()
            except OSError:
                pass

    def check(self, request: SymbolicRequest | dict, timeout: float) -> dict:
        """Judge the request's answer; gives up `timeout` (+ MARGIN) seconds after its child starts.

        The reply is a dict with every field of `protocol.SymbolicResponse`. A dict request is sent
        as it is: the child validates what it receives."""
        try:
            payload = encode_request(request)
        except (TypeError, ValueError, OverflowError) as exc:
            return error_response(f"The symbolic checker could not send the request ({exc}).")
        if len(payload) > MAX_REQUEST_BYTES:
            return error_response(f"The symbolic checker could not send the request (it is larger "
                                  f"than {MAX_REQUEST_BYTES >> 20} MiB).")
        job = self._spawn()
        if isinstance(job, dict):
            return job
        server, pid, ours = job
        with ours:
            return self._judged(server, pid, Channel(ours, MAX_OUTPUT_BYTES), payload, timeout)

    def _judged(self, server: _Server, pid: int, channel: Channel, payload: bytes, timeout: float) -> dict:
        """Send the request to the child `pid`, read its reply by the deadline, reap it."""
        reply, outcome = _talk(channel, payload, time.monotonic() + timeout + MARGIN)
        response = decode_response(reply) if outcome == "done" else None
        # A child that replied, or overran its time or output, is killed at once; one that stopped
        # without a valid reply is waited for, so that how it ended says why.
        status = self._reap(server, pid, kill=response is not None or outcome in ("timeout", "too_much"))
        return response if response is not None else _failure(outcome, status, timeout)

    def _spawn(self) -> tuple[_Server, int, socket.socket] | dict:
        """A child of a running server and our end of its request socket; or an error reply."""
        with self._lock:
            for _ in range(SPAWN_ATTEMPTS):
                try:
                    server = self._running_server()
                except OSError as exc:
                    return error_response(f"The symbolic checker could not start ({exc.strerror or exc}).")
                try:
                    return (server, *server.start_child())
                except control.ControlLost:
                    self._discard(server)
                except OSError as exc:  # no descriptors left, or a fresh interpreter did not start
                    return error_response(f"The symbolic checker could not run ({exc.strerror or exc}).")
        return error_response("The symbolic checker stopped unexpectedly; this is a grader problem, "
                              "please report it.")

    def _running_server(self) -> _Server:
        if self._server is not None and not self._server.alive():
            self._discard(self._server)  # killed from outside since the last request
        if self._server is None:
            from ..sandbox.host import current

            self._server = _Server() if current().fork_server else _FreshInterpreters()
        return self._server

    def _reap(self, server: _Server, pid: int, kill: bool) -> ReapReply | None:
        """How the child ended (killed first when `kill`); None if its server is gone (the child
        died with it)."""
        with self._lock:
            if server is not self._server:
                return None
            try:
                return server.reap(pid, kill)
            except control.ControlLost:
                self._discard(server)
                return None

    def _discard(self, server: _Server) -> None:
        """Kill a server that stopped answering; the next request starts a new one."""
        server.stop(grace=0)
        if self._server is server:
            self._server = None

    def close(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop(grace=5)
                self._server = None

    def __enter__(self) -> "SymbolicChecker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _talk(channel: Channel, payload: bytes, deadline: float) -> tuple[bytes, str]:
    """Send the request, read the reply by the deadline: (reply bytes, outcome)."""
    try:
        channel.sock.settimeout(max(1e-3, deadline - time.monotonic()))  # a child that does not read
        channel.send(msgspec.Raw(payload))
        channel.sock.settimeout(None)
        reply = channel.receive(msgspec.Raw, deadline)
    except (ChannelTimeout, TimeoutError):
        return b"", "timeout"
    except ChannelOverflow:
        return b"", "too_much"
    except (ChannelClosed, WireError, OSError):
        return b"", "closed"  # the child died first: how it ended says why
    return bytes(reply), "done"


_LIMIT_SIGNALS = {getattr(signal, name) for name in ("SIGXCPU", "SIGKILL") if hasattr(signal, name)}  # none on Windows


def _failure(outcome: str, status: ReapReply | None, timeout: float) -> dict:
    """The error reply for a child that gave no valid reply."""
    if outcome == "timeout":
        return error_response(f"The symbolic checker ran out of time ({timeout:g} s); "
                              "try writing your answer in a simpler form.")
    if outcome == "too_much":
        return error_response("The symbolic checker produced too much output; this is a grader "
                              "problem, please report it.")
    if status is not None and status.signal in _LIMIT_SIGNALS:
        return error_response("The symbolic checker ran out of time or memory; "
                              "try writing your answer in a simpler form.")
    reason = f"exit code {status.exit}" if status is not None and status.exit else "no valid reply"
    return error_response(f"The symbolic checker crashed ({reason}); this is a grader problem, "
                          "please report it.")


_shared: SymbolicChecker | None = None
_shared_lock = threading.Lock()


def check_symbolic(request: SymbolicRequest | dict, timeout: float) -> dict:
    """`SymbolicChecker.check` on one checker shared by the whole process (closed at exit), for
    callers that grade without a Grader."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SymbolicChecker()
            atexit.register(_shared.close)
    return _shared.check(request, timeout)
