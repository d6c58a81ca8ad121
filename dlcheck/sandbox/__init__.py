"""Grader-side handle on the zygote and the jobs it forks.

`Sandbox` starts the zygote (which imports torch while the grader does other work); `spawn`
returns a `Job`: a message channel to a fresh forked process, its captured output, and `finish`,
which reaps it (killing its whole process group when asked) and reports how it ended. Where the
host cannot fork (host.py: Windows), there is no zygote: each job is a fresh interpreter (spawn.py)
behind the same `Job`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import wire
from ..errors import GraderFault
from ..messages import REPLY_TYPES, JobLimits, ProbeReply, ProbeRequest, ReapReply, ReapRequest, SpawnRequest
from . import control
from .channel import Channel, Watch
from .host import current as current_host
from .usage import Usage

OUTPUT_PREVIEW_BYTES = 4096


@dataclass
class ExitInfo:
    exit_code: int | None
    signal: int | None
    output: str  # the first bytes the job printed (stdout and stderr together)
    output_truncated: bool

    @property
    def signal_name(self) -> str:
        try:
            return signal.Signals(self.signal).name
        except (ValueError, TypeError):
            return f"signal {self.signal}"


class Job:
    def __init__(self, reap: Callable[[bool], ReapReply], pid: int, channel: Channel, scratch: Path,
                 output_fd: int):
        self._reap = reap  # (kill) -> how the job ended; the zygote's ReapRequest, or spawn.py's
        self.pid = pid
        self.channel = channel
        self.scratch = scratch
        self._output_fd = output_fd  # an anonymous file the job writes to; read back through this descriptor
        self._finished: ExitInfo | None = None

    def send(self, message: Any) -> None:
        self.channel.send(message)

    def receive(self, schema: Any, deadline: float | None = None, bounds: wire.Bounds | None = None,
                watch: Watch | None = None) -> Any:
        return self.channel.receive(schema, deadline, bounds, watch)

    def usage(self) -> Usage | None:
        """The CPU time (and time waiting for a CPU) the job's processes have used so far, as the
        kernel counts it; None where /proc cannot tell (then wall time counts, time_limits.py)."""
        return current_host().job_usage(self.pid)

    def output_size(self) -> int:
        """How much the job has printed so far (stdout and stderr)."""
        return os.fstat(self._output_fd).st_size

    def finish(self, kill: bool = False) -> ExitInfo:
        """Reap the job (SIGKILL to its process group first when `kill`), then clean its scratch dir."""
        if self._finished is None:
            self.channel.close()
            status = self._reap(kill)
            output, truncated = _read_preview(self._output_fd)
            os.close(self._output_fd)
            shutil.rmtree(self.scratch, ignore_errors=True)
            self._finished = ExitInfo(status.exit, status.signal, output, truncated)
        return self._finished


class Sandbox:
    """One zygote per grading run (none where the host cannot fork); use as a context manager."""

    def __init__(self) -> None:
        self.host = current_host()
        self.host.protect_from_same_user()  # the grader holds expected values: no same-uid process may read its memory
        self._home = Path(tempfile.mkdtemp(prefix="dlcheck-sandbox-"))
        self._home.chmod(0o711)  # a worker that dropped to `nobody` must reach its own scratch dir
        self._log = open(self._home / "zygote.log", "wb")
        self._spawner = None
        if self.host.fork_server:
            self._control, self._process = control.start_server(
                [sys.executable, "-P", "-m", "dlcheck.sandbox.zygote"], cwd=str(self._home), output=self._log,
                env=child_environment())
            self._probe: ProbeReply | None = None
        else:
            from .spawn import Spawner

            self._spawner = Spawner(self.host)
            self._probe = ProbeReply(layers=[], exposed=[])  # no kernel layers; nothing is shown that is not there
        # A batch grades from several threads; each exchange with the zygote is one request and
        # its reply, which must not interleave with another thread's.
        self._control_lock = threading.Lock()

    @property
    def probe(self) -> ProbeReply:
        """The layers a student job gets here, and the host paths workers can see."""
        if self._probe is None:
            self._probe = self._request(ProbeRequest())
        return self._probe

    def spawn(self, role: str, limits: JobLimits) -> Job:
        scratch = Path(tempfile.mkdtemp(prefix=f"dlcheck-{role}-", dir=self._home))
        # Not a file in scratch: a job that can reach a path could swap it for a FIFO (blocking us)
        # or a link to a reference (copied into the report). Nobody can reach it by name.
        output = self.host.output_file(f"dlcheck-{role}-output", str(self._home))
        if self._spawner is not None:
            try:
                pid, sock, reap = self._spawner.start_job(role, str(scratch), limits, output)
            except BaseException:
                os.close(output)
                raise
            return Job(reap, pid, Channel(sock), scratch, output)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request = SpawnRequest(role, str(scratch), limits)
        try:
            pid = self._request(request, fds=[theirs.fileno(), output]).pid
        except BaseException:
            os.close(output)
            raise
        finally:
            theirs.close()
        return Job(lambda kill: self._request(ReapRequest(pid, kill)), pid, Channel(ours), scratch, output)

    def _request(self, request: Any, fds: list[int] = ()) -> Any:
        """Send one control request (one packet, with `fds`) and decode the zygote's typed reply."""
        try:
            with self._control_lock:
                return control.exchange(self._control, request, REPLY_TYPES[type(request)], fds)
        except control.ControlLost as exc:
            detail = f"stopped unexpectedly: {self._log_tail()}" if exc.stopped else str(exc)
            raise GraderFault(f"the sandbox process {detail}") from None

    def _log_tail(self) -> str:
        self._log.flush()
        text = (self._home / "zygote.log").read_text(errors="replace").strip()
        return text[-1500:] or "(no output)"

    def close(self) -> None:
        if self._spawner is not None:
            self._spawner.close()  # kills any job still running
        else:
            self._control.close()  # the zygote kills any remaining job and exits
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._log.close()
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def child_environment() -> dict[str, str]:
    """The whole environment of dlcheck's helper processes: nothing inherited from the grader's,
    which in CI holds secrets (tokens, DLCHECK_SECRET) that a submission could otherwise read."""
    package_parent = str(Path(__file__).resolve().parents[2])  # dlcheck may not be installed (a checkout)
    environment = {
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": package_parent,
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        # One thread per job: reproducible numerics, and two jobs never fight over the cores.
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    from .host import HOST_ENV

    if os.environ.get(HOST_ENV):  # the testing switch (host.py) reaches the helpers: it only removes layers
        environment[HOST_ENV] = os.environ[HOST_ENV]
    if os.name == "nt":  # without SYSTEMROOT, Windows' Python cannot start (nor load torch's DLLs)
        system_root = os.environ.get("SYSTEMROOT", r"C:\Windows")
        environment.update(SYSTEMROOT=system_root,
                           PATH=os.pathsep.join([os.path.dirname(sys.executable), os.path.join(system_root, "System32")]))
    return environment


def _read_preview(fd: int) -> tuple[str, bool]:
    try:
        if hasattr(os, "pread"):
            data = os.pread(fd, OUTPUT_PREVIEW_BYTES + 1, 0)
        else:  # Windows: the job is gone, nobody else moves the offset
            os.lseek(fd, 0, os.SEEK_SET)
            data = os.read(fd, OUTPUT_PREVIEW_BYTES + 1)
    except OSError:
        return "", False
    return data[:OUTPUT_PREVIEW_BYTES].decode(errors="replace"), len(data) > OUTPUT_PREVIEW_BYTES
