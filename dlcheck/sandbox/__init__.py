"""Grader-side handle on the zygote and the jobs it forks.

`Sandbox` starts the zygote (which imports torch while the grader does other work); `spawn`
returns a `Job`: a message channel to a fresh forked process, its captured output, and `finish`,
which reaps it (killing its whole process group when asked) and reports how it ended.
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
from typing import Any

from .. import wire
from ..errors import GraderFault
from ..messages import REPLY_TYPES, JobLimits, ProbeReply, ProbeRequest, ReapRequest, SpawnRequest
from . import control
from .channel import Channel, Watch
from .usage import Usage, job_usage

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
    def __init__(self, sandbox: "Sandbox", pid: int, channel: Channel, scratch: Path, output_fd: int):
        self.sandbox = sandbox
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
        kernel counts it; None where /proc cannot tell."""
        return job_usage(self.pid)

    def output_size(self) -> int:
        """How much the job has printed so far (stdout and stderr)."""
        return os.fstat(self._output_fd).st_size

    def finish(self, kill: bool = False) -> ExitInfo:
        """Reap the job (SIGKILL to its process group first when `kill`), then clean its scratch dir."""
        if self._finished is None:
            self.channel.close()
            status = self.sandbox._request(ReapRequest(self.pid, kill))
            output, truncated = _read_preview(self._output_fd)
            os.close(self._output_fd)
            shutil.rmtree(self.scratch, ignore_errors=True)
            self._finished = ExitInfo(status.exit, status.signal, output, truncated)
        return self._finished


class Sandbox:
    """One zygote per grading run; use as a context manager."""

    def __init__(self) -> None:
        from .syscalls import set_dumpable

        set_dumpable(False)  # the grader holds expected values: no same-uid process may read its memory
        self._home = Path(tempfile.mkdtemp(prefix="dlcheck-sandbox-"))
        self._home.chmod(0o711)  # a worker that dropped to `nobody` must reach its own scratch dir
        self._log = open(self._home / "zygote.log", "wb")
        self._control, self._process = control.start_server(
            [sys.executable, "-P", "-m", "dlcheck.sandbox.zygote"], cwd=str(self._home), output=self._log,
            env=child_environment())
        self._probe: ProbeReply | None = None
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
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # Not a file in scratch: a job that can reach a path could swap it for a FIFO (blocking us)
        # or a link to a reference (copied into the report). Nobody can reach a memfd by name.
        output = os.memfd_create(f"dlcheck-{role}-output", os.MFD_CLOEXEC)
        request = SpawnRequest(role, str(scratch), limits)
        try:
            pid = self._request(request, fds=[theirs.fileno(), output]).pid
        except BaseException:
            os.close(output)
            raise
        finally:
            theirs.close()
        return Job(self, pid, Channel(ours), scratch, output)

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
    return {
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": package_parent,
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        # One thread per job: reproducible numerics, and two jobs never fight over the cores.
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }


def _read_preview(fd: int) -> tuple[str, bool]:
    try:
        data = os.pread(fd, OUTPUT_PREVIEW_BYTES + 1, 0)
    except OSError:
        return "", False
    return data[:OUTPUT_PREVIEW_BYTES].decode(errors="replace"), len(data) > OUTPUT_PREVIEW_BYTES
