"""The control protocol of dlcheck's fork servers: the zygote (sandbox/zygote.py) and the symbolic
server (symbolic/server.py).

A fork server is a helper process that pays for its imports once and then forks one fresh process
per job. The grading process talks to it over a Unix stream socket: one msgpack message per packet
(a 4-byte big-endian length, then the message; a stream rather than SOCK_SEQPACKET, which macOS
lacks), each request naming the type of its reply (messages.py), the job's file descriptors passed
with the packet's first bytes (SCM_RIGHTS). Exactly one request or reply is in flight at a time.
The server reaps a job only when the grader asks (ReapRequest), so a job's pid is not reused while
the grader may still name it. EOF on the control socket ends the server.

POSIX only (fork, SCM_RIGHTS): where there is no fork, jobs are fresh interpreters (spawn.py).
"""

from __future__ import annotations

import os
import select
import signal
import socket
import struct
import subprocess
import time
import traceback
from typing import Any, Callable

from .. import wire
from ..messages import ReapReply

CONTROL_PACKET_BYTES = 1 << 16  # one control message, either way
PACKET_HEADER = struct.Struct(">I")
REAP_GRACE_SECONDS = 2.0
INTERNAL_FAILURE_STATUS = 70  # a job process failed in dlcheck's own code


class ControlLost(Exception):
    """The server stopped (or did not answer in time), or sent something that is not the reply asked for."""

    def __init__(self, stopped: bool, detail: str = ""):
        self.stopped = stopped
        super().__init__(detail or ("stopped unexpectedly" if stopped else "sent a malformed reply"))


# ------------------------------------------------------------ the grader's side

def start_server(command: list[str], *, cwd: str, output: Any, env: dict[str, str]
                 ) -> tuple[socket.socket, subprocess.Popen]:
    """Start `command` + [its end of a new control socket] in a session of its own; our end and
    the process. Raises OSError when it cannot start."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        process = subprocess.Popen(
            [*command, str(theirs.fileno())], pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
            stdout=output, stderr=output, cwd=cwd, start_new_session=True, env=env)
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    return ours, process


def exchange(control: socket.socket, request: Any, reply_type: Any, fds: list[int] = ()) -> Any:
    """Send one control request (one packet, with `fds`) and decode the server's typed reply.
    Raises ControlLost; waits no longer than the socket's timeout, if it has one."""
    try:
        send_packet(control, wire.pack(request), fds)
        reply, _ = receive_packet(control, max_fds=0)
    except OSError:  # a timeout included
        reply = b""
    if not reply:
        raise ControlLost(stopped=True)
    try:
        return wire.unpack(reply, reply_type)
    except wire.WireError as exc:
        raise ControlLost(stopped=False, detail=f"sent a malformed reply ({exc})") from None


# ------------------------------------------------------------ the server's side

def serve(control: socket.socket, schema: Any, handle: Callable[[Any, list[int]], Any], max_fds: int) -> None:
    """Answer each request with `handle(request, fds)` until the grader closes the control socket."""
    while True:
        try:
            data, fds = receive_packet(control, max_fds)
        except OSError:
            data, fds = b"", []
        if not data:
            return
        request = wire.unpack(data, schema)  # the grader is trusted: a bad packet is a bug
        send_packet(control, wire.pack(handle(request, fds)))


# ------------------------------------------------------------ packets on the stream

def send_packet(sock: socket.socket, data: bytes, fds: list[int] = ()) -> None:
    """One packet; the descriptors travel with its first bytes."""
    if len(data) > CONTROL_PACKET_BYTES:
        raise ValueError(f"a control message of {len(data)} bytes")
    packet = PACKET_HEADER.pack(len(data)) + data
    sent = socket.send_fds(sock, [packet], list(fds)) if fds else sock.send(packet)
    if sent < len(packet):
        sock.sendall(packet[sent:])


def receive_packet(sock: socket.socket, max_fds: int) -> tuple[bytes, list[int]]:
    """The next packet and the descriptors sent with it; (b"", []) at EOF (also mid-packet)."""
    header, fds = b"", []
    while len(header) < PACKET_HEADER.size:
        if max_fds:
            chunk, received, _, _ = socket.recv_fds(sock, PACKET_HEADER.size - len(header), max_fds)
            fds += received
        else:
            chunk = sock.recv(PACKET_HEADER.size - len(header))
        if not chunk:
            _close_all(fds)
            return b"", []
        header += chunk
    (size,) = PACKET_HEADER.unpack(header)
    if size > CONTROL_PACKET_BYTES:
        _close_all(fds)
        raise OSError(f"a control message of {size} bytes announced")
    body = bytearray()
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            _close_all(fds)
            return b"", []
        body += chunk
    return bytes(body), fds


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


def fork_job(control: socket.socket, fds: list[int], run: Callable[[list[int]], None]) -> int:
    """Fork a job that runs `run(fds)` and never comes back into the server's loop; its pid.
    The server keeps none of `fds`: they now belong to the job."""
    pid = os.fork()
    if pid == 0:
        try:
            control.close()
            run(fds)
        except BaseException:  # noqa: B902 - shown to whoever reads the job's output
            traceback.print_exc()
        finally:
            os._exit(INTERNAL_FAILURE_STATUS)
    for fd in fds:
        os.close(fd)
    return pid


def reap(pid: int, kill: bool) -> ReapReply:
    """Wait for the job (SIGKILL to its process group first when `kill`, and after a grace period
    anyway), kill what is left of its group, and say how it ended."""
    if kill:
        killpg(pid)
    elif not _exits_within(pid, REAP_GRACE_SECONDS):
        killpg(pid)
    status = _reaped.pop(pid, None)
    if status is None:
        status = os.waitpid(pid, 0)[1]  # killed or exited: it is dying, wait for it outright
    killpg(pid)  # leftover members of the job's group
    if os.WIFSIGNALED(status):
        return ReapReply(signal=os.WTERMSIG(status))
    return ReapReply(exit=os.WEXITSTATUS(status))


# Where the OS can only tell that a child exited by reaping it (macOS: no pidfd, no waitid), the
# status is kept here for reap(), which runs right after in the same thread.
_reaped: dict[int, int] = {}


def _exits_within(pid: int, seconds: float) -> bool:
    """Whether the child exits (or has exited) within `seconds`, without reaping it. A pidfd wakes
    us the moment it does; polling would add its interval to every job that ends by itself."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (Linux < 5.3, or not Linux): poll
        return _polls_exit(pid, seconds)
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        return bool(poller.poll(seconds * 1000))
    finally:
        os.close(pidfd)


def _polls_exit(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if hasattr(os, "waitid"):
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        else:
            reaped, status = os.waitpid(pid, os.WNOHANG)
            if reaped:
                _reaped[pid] = status
                return True
        time.sleep(0.005)
    return False


def killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
