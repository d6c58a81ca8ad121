"""The zygote: imports torch once, then forks one fresh process per job.

The grading process never imports torch. It starts this zygote, which pays for the torch import
while the grader loads specs, and then forks (a) a trusted reference process per exercise and
(b) an isolated student worker per submission. Expected values are computed only in the
reference process and sent to the grader; the zygote itself never holds them, so no worker
forked from it can find them in memory.

Protocol (control.py: one msgpack message per packet, file descriptors passed with SCM_RIGHTS;
the schemas are `messages.ControlRequest` and the reply types in `messages.REPLY_TYPES`):
  ProbeRequest -> ProbeReply(layers, exposed): what a student job gets on this machine
      (measured once at start, by confining a throwaway child before torch is imported)
  SpawnRequest(role, scratch, limits) + [job socket, output fd] -> SpawnReply(pid)
  ReapRequest(pid, kill) -> ReapReply(exit | signal)
EOF on the control socket: kill every remaining job, exit.

What is Linux-only (prctl, the kernel layers, /proc) goes through host.py: on macOS the same zygote
forks jobs with a session of their own and rlimits, and the probe reports no kernel layers.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from typing import Any

from .. import wire
from ..messages import ControlRequest, JobLimits, ProbeReply, ProbeRequest, ReapReply, SpawnReply, SpawnRequest
from .control import fork_job, reap, serve
from .host import current as current_host

_live_jobs: set[int] = set()  # jobs spawned and not yet reaped
host = current_host()


def main(control_fd: int) -> None:
    control = socket.socket(fileno=control_fd)
    # Linux: orphans of a job (even in new sessions) come back to us; a same-uid worker cannot
    # ptrace us or read our memory.
    host.zygote_preparations()
    probe = ProbeReply(host.probe_layers(), host.exposed_paths())
    preload()

    def handle(request: ControlRequest, fds: list[int]) -> Any:
        if isinstance(request, ProbeRequest):
            return probe
        if isinstance(request, SpawnRequest):
            pid = fork_job(control, fds, lambda fds: _run_child(request, fds))
            _live_jobs.add(pid)
            return SpawnReply(pid)
        return _reap(request.pid, request.kill)

    serve(control, ControlRequest, handle, max_fds=4)
    _live_jobs.clear()  # the grader is gone: every job goes too
    _sweep_children()
    os._exit(0)  # skip interpreter teardown with torch loaded: the grader waits for us


def probe_confinement() -> list[str]:
    """Linux: confine a throwaway child exactly as a student job, and report the layers it got."""
    from . import confine

    confine.prepare()
    scratch = os.path.abspath("probe")
    os.mkdir(scratch, 0o711)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            layers, _ = confine.confine(scratch)
            os.write(write_end, wire.pack(layers))
        except BaseException:  # noqa: B902 - reported as no layers at all; the reason goes to the log
            import traceback

            traceback.print_exc()
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read()
    os.waitpid(pid, 0)
    try:
        return wire.unpack(reported, list[str])
    except wire.WireError:
        return []  # the probe died while confining: nothing can be counted on


def preload() -> None:
    """Import what every job needs, so that forked jobs start warm."""
    import torch  # noqa: F401  (the one torch import of a grading run)

    torch.set_num_threads(1)  # single-threaded ops keep fork safe and results reproducible
    torch.zeros(2, dtype=torch.float64).sum()  # initialise dispatch before forking
    import numpy  # noqa: F401

    from .. import cases, reference, worker  # noqa: F401
    from ..rules import dispatch_index
    from . import audit, channel  # noqa: F401

    if host.kernel_layers:
        from . import confine, landlock, seccomp, view  # noqa: F401

    dispatch_index()  # jobs whose rules ban operators look them up here instead of listing them anew
    import gc

    # Every job would otherwise pay for the zygote's heap: its first full collection walks torch's
    # millions of objects (up to 100 ms) and, touching each, copies their pages. Frozen objects are
    # never collected or scanned again; a job's own garbage still is.
    gc.freeze()


def _run_child(request: SpawnRequest, fds: list[int]) -> None:
    job_fd, output_fd = fds
    host.die_with_parent()  # at once: a zygote killed right after the fork takes us along
    os.setsid()  # its own process group: the grader's watchdog kills the whole group
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    unbuffered_output()
    student = request.role == "student"
    layers, scratch = [], request.scratch
    address_space = address_space_in_use()  # measured here: a confined job may have no /proc
    if student:
        layers, scratch = host.confine(scratch)
    os.chdir(scratch)
    use_scratch_as_tmp(scratch)
    host.die_with_parent()  # after any uid change, which resets it
    apply_limits(request.limits, address_space)
    serve_role(request.role, socket.socket(fileno=job_fd), layers + ["rlimits"])
    os._exit(0)


def serve_role(role: str, sock: socket.socket, layers: list[str]) -> None:
    """Run the job's role on its channel: the submission (reporting `layers`) or the reference."""
    from . import channel

    chan = channel.Channel(sock)
    if role == "student":
        from .. import worker

        worker.serve(chan, layers)
    else:
        from .. import reference

        reference.serve(chan)
    sys.stdout.flush()


def unbuffered_output() -> None:
    """Every print reaches the output file at once: the job may be killed (timeout, done) at any moment,
    and what a student printed before a hang is the best clue to it."""
    import io

    for name, fd in (("stdout", 1), ("stderr", 2)):
        raw = io.FileIO(fd, "w", closefd=False)
        setattr(sys, name, io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace", write_through=True))


def use_scratch_as_tmp(scratch: str) -> None:
    """Libraries that need a temporary directory (torch.func probes one) get the writable scratch dir."""
    import tempfile

    for name in ("TMPDIR", "TEMP", "TMP", "HOME"):
        os.environ[name] = scratch
    os.environ.pop("PYTHONPATH", None)  # where dlcheck lives: needed to start the zygote, not by jobs
    tempfile.tempdir = scratch


def apply_limits(limits: JobLimits, address_space: int | None, cpu_used: float = 0.0) -> None:
    """The job's rlimits. `address_space`: what the process maps already (None where it cannot be
    measured: then no memory limit); `cpu_used`: CPU seconds it has spent already (a fresh
    interpreter's imports), which RLIMIT_CPU counts too."""
    import resource

    memory = _mb(limits.memory_mb)
    pairs = {
        resource.RLIMIT_CPU: None if limits.cpu_seconds is None else limits.cpu_seconds + cpu_used,
        # On top of what the warm zygote already maps (torch alone is ~0.6 GB of address space).
        resource.RLIMIT_AS: None if memory is None or address_space is None else address_space + memory,
        resource.RLIMIT_FSIZE: _mb(limits.file_mb),
        resource.RLIMIT_NOFILE: limits.open_files,
        resource.RLIMIT_NPROC: limits.processes,
        resource.RLIMIT_CORE: 0,
    }
    for which, value in pairs.items():
        if value is not None:
            value = int(value)
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value if which != resource.RLIMIT_CPU else value + 1))


def address_space_in_use() -> int | None:
    """The bytes of address space this process maps, from /proc; None where that cannot be read
    (macOS, whose kernel does not enforce RLIMIT_AS anyway)."""
    if not host.memory_limit:
        return None
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _mb(value: int | None) -> int | None:
    return None if value is None else int(value) * 1024 * 1024


def _reap(pid: int, kill: bool) -> ReapReply:
    reply = reap(pid, kill)
    _live_jobs.discard(pid)
    _sweep_children()
    return reply


def _sweep_children() -> None:
    """Kill every process re-parented to us (a job's detached descendants), until none remain. Jobs
    still running (a batch runs several at once) are ours to keep: they are reaped on request."""
    for _ in range(200):
        children = [pid for pid in host.children_of(os.getpid()) if pid not in _live_jobs]
        if not children:
            return
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for child in children:
            try:
                os.waitpid(child, 0)
            except ChildProcessError:
                pass


if __name__ == "__main__":
    main(int(sys.argv[1]))
