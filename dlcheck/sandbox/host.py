"""What this operating system lets the sandbox do: the one place where dlcheck asks which OS it is on.

Chosen once per process (`current()`), three hosts, each adding to the one before:

- `SpawnHost` (Windows, or any OS without fork): every job is a fresh interpreter started by the
  grader (sandbox/spawn.py), which imports torch itself; the grader's deadlines end it; rlimits where
  the `resource` module exists (not on Windows); its output goes to an unlinked temporary file.
- `PosixHost` (macOS, the BSDs): a warm fork server (the zygote) whose jobs each get a session of their
  own (killed as a process group) and rlimits. None of Linux's kernel layers: no namespaces, no
  seccomp, no Landlock, no prctl; no CPU accounting from /proc (wall time counts instead).
- `LinuxHost`: everything in docs/security.md: the kernel layers of confine.py, CPU time from /proc,
  output in a memfd, non-dumpable processes, jobs that die with the zygote, orphans swept up.

Grading that counts needs the layers only Linux has (sandbox/trust.py): elsewhere it refuses (exit 4)
unless --allow-weak-sandbox, and a practice run says in one line what it got (`summary`).

Testing switch: DLCHECK_HOST=posix or DLCHECK_HOST=spawn makes a Linux machine behave as the weaker
host, to test the macOS and Windows paths on Linux. It can only remove layers: a name stronger than
the machine's own host (or unknown) is refused.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from ..errors import UsageError
from .trust import ALLOW_WEAK_OPTION

HOST_ENV = "DLCHECK_HOST"

# What a practice run says it got and lacks, in a student's words (the layer names are in --format json).
LAYER_WORDS = {
    "mount-view or landlock (to hide the course)": "hiding the course",
    "seccomp": "system-call filter",
    "no-new-privs": "system-call filter",  # set with the filter: one thing to a student
}


class HostRefused(UsageError):
    """DLCHECK_HOST names a host dlcheck does not know, or one stronger than this machine's."""


class SpawnHost:
    """No fork: a fresh interpreter per job (sandbox/spawn.py)."""

    name = "spawn"
    fork_server = False  # jobs are forked from a warm zygote
    kernel_layers = False  # Linux's namespaces, seccomp, Landlock, prctl (confine.py)
    proc_accounting = False  # CPU time of a job from /proc (usage.py); otherwise wall time counts

    @property
    def rlimits(self) -> bool:
        try:
            import resource  # noqa: F401
        except ImportError:
            return False
        return True

    @property
    def memory_limit(self) -> bool:
        """Whether RLIMIT_AS can bound a job's memory here: measured against what the process already
        maps, which only /proc tells (macOS does not enforce RLIMIT_AS at all)."""
        return self.rlimits and sys.platform != "darwin" and os.path.exists("/proc/self/status")

    # ------------------------------------------------------------ the grader's side

    def output_file(self, label: str, directory: str) -> int:
        """A file only the grader (and the job it is handed to) can reach: unlinked at once on POSIX,
        deleted when closed on Windows (O_TEMPORARY)."""
        with tempfile.TemporaryFile(prefix=f"{label}-", dir=directory) as handle:
            return os.dup(handle.fileno())

    def protect_from_same_user(self) -> None:
        """Keep other processes of this user from reading this one's memory (Linux: non-dumpable)."""

    def job_usage(self, pid: int):
        return None

    def children_of(self, pid: int) -> list[int]:
        return []

    def new_session_options(self) -> dict[str, Any]:
        """subprocess.Popen options that put a child in a process group of its own."""
        if os.name == "posix":
            return {"start_new_session": True}
        import subprocess

        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}

    def kill_group(self, process) -> None:
        """Kill a child started with new_session_options(), and whatever it started in its group."""
        if os.name == "posix":
            import signal

            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        else:
            process.kill()

    def summary(self, problems: list[str]) -> str:
        """The one line a practice run prints about its sandbox."""
        limits = "time and memory limits" if self.memory_limit else "time limits"
        lacking = list(dict.fromkeys(LAYER_WORDS.get(p, p) for p in problems))
        if not self.memory_limit:
            lacking.append("memory limit")
        line = f"sandboxed: separate process, {limits}"
        if lacking:
            line += f"; not available here: {', '.join(lacking)} (fine for practice; a grade that counts needs them)"
        return line

    def advice(self) -> str:
        """What would make grading that counts possible (after the list of what is missing)."""
        return ("Grade that counts on Linux (CI, a container or a VM: docs/security.md, \"Every laptop\"), or pass "
                f"{ALLOW_WEAK_OPTION} to grade anyway")


class PosixHost(SpawnHost):
    """fork, sessions and rlimits: macOS and the BSDs."""

    name = "posix"
    fork_server = True

    def zygote_preparations(self) -> None:
        """In the zygote, before any job: (Linux) adopt every orphan of a job, stay non-dumpable."""

    def die_with_parent(self) -> None:
        """In a job: die when the process that forked it dies (Linux: PR_SET_PDEATHSIG)."""

    def confine(self, scratch: str) -> tuple[list[str], str]:
        """The kernel layers for a student job: none here."""
        return [], scratch

    def probe_layers(self) -> list[str]:
        """The kernel layers a student job gets here (measured once in the zygote)."""
        return []

    def exposed_paths(self) -> list[str]:
        return []


class LinuxHost(PosixHost):
    """The whole sandbox (docs/security.md)."""

    name = "linux"
    kernel_layers = True
    proc_accounting = True

    def output_file(self, label: str, directory: str) -> int:
        # Not even an unlinked file: nobody can reach a memfd by name (or swap it for a FIFO).
        return os.memfd_create(f"dlcheck-{label}-output", os.MFD_CLOEXEC)

    def protect_from_same_user(self) -> None:
        from .syscalls import set_dumpable

        set_dumpable(False)

    def zygote_preparations(self) -> None:
        from .syscalls import PR_SET_CHILD_SUBREAPER, prctl

        prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of a job (even in new sessions) come back to us
        self.protect_from_same_user()

    def die_with_parent(self) -> None:
        import signal

        from .syscalls import PR_SET_PDEATHSIG, prctl

        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    def job_usage(self, pid: int):
        from .usage import job_usage

        return job_usage(pid)

    def children_of(self, pid: int) -> list[int]:
        from .usage import children_of

        return children_of(pid)

    def confine(self, scratch: str) -> tuple[list[str], str]:
        from . import confine

        return confine.confine(scratch)

    def probe_layers(self) -> list[str]:
        from . import zygote

        return zygote.probe_confinement()

    def exposed_paths(self) -> list[str]:
        from . import confine

        exposure = confine._exposure or confine.prepare()  # the probe prepared it already
        return [str(p) for p in [*exposure.python, *exposure.system]]

    def advice(self) -> str:
        return f"Enable user namespaces or Landlock (docs/security.md), or pass {ALLOW_WEAK_OPTION} to grade anyway"


HOSTS = {"spawn": SpawnHost, "posix": PosixHost, "linux": LinuxHost}
STRENGTH = ["spawn", "posix", "linux"]
_current: SpawnHost | None = None


def native_name() -> str:
    """The strongest host this machine can be."""
    if sys.platform.startswith("linux"):
        return "linux"
    if os.name == "posix" and hasattr(os, "fork"):
        return "posix"
    return "spawn"


def current() -> SpawnHost:
    """This process's host: the machine's own, or a weaker one named by DLCHECK_HOST (tests)."""
    global _current
    if _current is None:
        _current = HOSTS[chosen_name()]()
    return _current


def chosen_name() -> str:
    native = native_name()
    asked = os.environ.get(HOST_ENV, "").strip().lower()
    if not asked:
        return native
    if asked not in HOSTS:
        raise HostRefused(f"{HOST_ENV}={asked!r} is not a host dlcheck knows ({', '.join(STRENGTH)})")
    if STRENGTH.index(asked) > STRENGTH.index(native):
        raise HostRefused(f"{HOST_ENV}={asked} would add layers this machine ({native}) does not have; "
                          f"the switch can only remove them")
    return asked
