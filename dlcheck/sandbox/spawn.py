"""Jobs where the host cannot fork (host.py: Windows): each one a fresh interpreter, started by the grader.

`Spawner.start` runs `python -P -m dlcheck.sandbox.spawned` in the job's scratch directory, in a
process group of its own, with the minimal environment of every helper process and its output in the
file the grader holds. The child reads its role and limits from stdin, imports what its role needs
(torch: seconds, which is why a forked zygote is used wherever there is fork), then connects back to
a listening socket on the loopback interface that exists only until it has, and proves it is the
child started for this job with a one-time token. Only then does `start` return, so no deadline of
the job counts the interpreter's start-up.

The same code runs on every OS (the connection back replaces the descriptor passing Windows lacks),
so DLCHECK_HOST=spawn tests it on Linux.
"""

from __future__ import annotations

import hmac
import json
import secrets
import socket
import subprocess
import sys
import threading
import time

import msgspec

from ..errors import GraderFault
from ..messages import JobLimits, ReapReply
from .control import REAP_GRACE_SECONDS

START_SECONDS = 180.0  # a fresh interpreter importing torch, on a busy laptop
TOKEN_BYTES = 32
TOKEN_SECONDS = 5.0  # for a connection to prove itself; a stranger's is dropped after that
ACCEPT_POLL_SECONDS = 0.2


class Spawner:
    """Starts and reaps one fresh interpreter per job."""

    def __init__(self, host) -> None:
        self.host = host
        self._running: dict[int, subprocess.Popen] = {}
        self._lock = threading.Lock()

    def start_job(self, role: str, scratch: str, limits: JobLimits, output_fd: int):
        """(pid, the connected socket, reap(kill) -> ReapReply) of a new sandbox job, once it is ready."""
        config = {"role": role, "scratch": scratch, "limits": msgspec.to_builtins(limits)}
        return self.start("dlcheck.sandbox.spawned", config, cwd=scratch, output=output_fd)

    def start(self, module: str, config: dict, cwd: str, output):
        """`python -P -m module`, handed `config` (plus the port and token) on stdin, its output to
        `output` (a descriptor or subprocess.DEVNULL): (pid, the connected socket, reap(kill))."""
        from . import child_environment

        token = secrets.token_bytes(TOKEN_BYTES)
        with socket.create_server(("127.0.0.1", 0)) as listener:
            config = {**config, "port": listener.getsockname()[1], "token": token.hex()}
            process = subprocess.Popen(
                [sys.executable, "-P", "-m", module], stdin=subprocess.PIPE, stdout=output,
                stderr=output, cwd=cwd, env=child_environment(), **self.host.new_session_options())
            with self._lock:
                self._running[process.pid] = process
            try:
                process.stdin.write(json.dumps(config).encode())
                process.stdin.close()
                sock = _accept_child(listener, token, process)
            except BaseException:
                self._reap(process, kill=True)
                raise
        return process.pid, sock, lambda kill: self._reap(process, kill)

    def _reap(self, process: subprocess.Popen, kill: bool) -> ReapReply:
        """Wait for the job (killed first when `kill`, and after a grace period anyway), kill what is
        left of its group, and say how it ended."""
        if kill:
            self.host.kill_group(process)
        try:
            process.wait(timeout=None if kill else REAP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.host.kill_group(process)
            process.wait()
        self.host.kill_group(process)  # leftover members of its group
        with self._lock:
            self._running.pop(process.pid, None)
        code = process.returncode
        return ReapReply(signal=-code) if code < 0 else ReapReply(exit=code)

    def close(self) -> None:
        with self._lock:
            running = list(self._running.values())
        for process in running:
            self._reap(process, kill=True)


def _accept_child(listener: socket.socket, token: bytes, process: subprocess.Popen) -> socket.socket:
    """The connection from `process` (the one that sends `token`), by START_SECONDS."""
    deadline = time.monotonic() + START_SECONDS
    listener.settimeout(ACCEPT_POLL_SECONDS)
    while True:
        if process.poll() is not None:
            raise GraderFault(f"the sandbox's job process exited (status {process.returncode}) before it started")
        if time.monotonic() > deadline:
            raise GraderFault(f"the sandbox's job process did not start within {START_SECONDS:g} s")
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        if _proves(connection, token):
            connection.settimeout(None)
            return connection
        connection.close()  # not our child: another local process found the port


def _proves(connection: socket.socket, token: bytes) -> bool:
    connection.settimeout(TOKEN_SECONDS)
    received = b""
    try:
        while len(received) < len(token):
            chunk = connection.recv(len(token) - len(received))
            if not chunk:
                return False
            received += chunk
    except OSError:
        return False
    return hmac.compare_digest(received, token)
