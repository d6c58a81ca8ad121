"""Kernel-level confinement of a student worker, applied in the forked job before student code runs.

Each layer is applied where the machine allows it, and `confine` returns the names of those that
were (the grader decides from them whether a grade can count, see trust.py):

- namespaces (root, or an unprivileged user namespace): a new network namespace (no interface is
  up: nothing is reachable, not even the host's loopback), IPC and UTS namespaces, a PID namespace
  (the worker is process 1 of its own namespace: it sees and can signal no other process, and when
  it dies everything it started dies with it), and a mount namespace in which the worker's root is a
  new, read-only tree holding only the Python installation, shared libraries, a few devices and a
  64 MB scratch tmpfs ("mount-view", see view.py);
- job-uid: as root, the worker runs as a uid of its own (derived from its pid, so no two live jobs
  share one), which owns no file and can signal no other job;
- landlock: where available, the same view enforced by path, which is what hides the course where
  namespaces are refused; it also refuses TCP and signals outside the worker's domain;
- no_new_privs, capabilities dropped;
- seccomp (seccomp.py): the system calls audit hooks cannot see; where neither the view nor
  Landlock confines writes, every file-changing call too.

Namespaces need a second fork: a new PID namespace applies to children only. The job process stays
outside as the *keeper*: it waits for the worker and exits as the worker did, so the zygote's reaping
and the grader's exit messages are unchanged.
"""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

from . import landlock, seccomp, view
from . import syscalls as sc

JOB_UID_BASE = 1_900_000_000  # + the job's pid (below 2**22): unused by any real account
CAP_DAC_READ_SEARCH = 1 << 2
# Without a view: the worker's own /proc entries, and what the C library reads to count CPUs.
WEAK_EXTRA_READABLE = (Path("/proc/self"), Path("/sys/devices/system/cpu"))
NAMESPACES_AS_ROOT = sc.CLONE_NEWNS | sc.CLONE_NEWNET | sc.CLONE_NEWPID | sc.CLONE_NEWIPC | sc.CLONE_NEWUTS
_exposure: view.Exposure | None = None


def prepare() -> view.Exposure:
    """Compute what workers may see, once, in the zygote (every job inherits it)."""
    global _exposure
    _exposure = view.current_exposure()
    return _exposure


def confine(scratch: str) -> tuple[list[str], str]:
    """Confine this process; returns (layers applied, the scratch directory as the worker sees it).

    May fork: then only the confined worker returns, and the keeper exits when the worker does."""
    exposure = _exposure or prepare()
    root = os.geteuid() == 0
    layers: list[str] = []
    job_uid = JOB_UID_BASE + os.getpid() if root else None
    in_namespaces = _enter_namespaces(root, layers)
    if in_namespaces:
        _become_pid_one(layers)
        scratch = _build_view(scratch, exposure, job_uid, layers)
    if root:
        _become_job_user(job_uid, scratch, keep_read_access=_needs_read_capability(exposure, layers))
        layers.append("job-uid")
    else:
        _drop_capabilities()
    sc.check(sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    layers.append("no-new-privs")
    _apply_landlock(exposure, scratch, layers)
    _apply_seccomp(layers)
    return layers, scratch


def _enter_namespaces(root: bool, layers: list[str]) -> bool:
    try:
        if root:
            sc.unshare(NAMESPACES_AS_ROOT)
        else:
            uid, gid = os.geteuid(), os.getegid()
            sc.unshare(NAMESPACES_AS_ROOT | sc.CLONE_NEWUSER)
            _map_own_ids(uid, gid)
            layers.append("user-namespace")
    except OSError:
        return False  # refused here (a container's seccomp profile, AppArmor): Landlock must do
    layers += ["net-namespace", "ipc-namespace"]
    return True


def _map_own_ids(uid: int, gid: int) -> None:
    sc.set_dumpable(True)  # /proc/self/*_map belong to root while we are not dumpable
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    finally:
        sc.set_dumpable(False)


def _become_pid_one(layers: list[str]) -> None:
    """Fork into the new PID namespace; the parent (the keeper) never returns from here."""
    worker = os.fork()
    if worker == 0:
        sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)  # the keeper killed: the worker goes too
        layers.append("pid-namespace")
        return
    _keep(worker)


def _keep(worker: int) -> None:
    """The keeper: hold nothing (the job's channel must close when the worker dies), wait for the
    worker, end the way it ended."""
    os.closerange(3, 1 << 16)
    _, status = os.waitpid(worker, 0)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def _build_view(scratch: str, exposure: view.Exposure, owner: int | None, layers: list[str]) -> str:
    try:
        in_view = view.build_root(scratch, exposure, owner)
    except OSError:
        return scratch  # still in the namespaces, but seeing the host's tree: Landlock must hide it
    layers.append("mount-view")
    return in_view


def _needs_read_capability(exposure: view.Exposure, layers: list[str]) -> bool:
    """Without a view, the job uid may be unable to reach the Python installation (pyenv under a 0700
    /root). It may then keep the one capability that reads past permissions, but only where Landlock
    will decide what it reads; never on a machine where it could then read any file."""
    return "mount-view" not in layers and not _traversable_by_others(exposure) and landlock.abi_version() > 0


def _become_job_user(uid: int, scratch: str, keep_read_access: bool) -> None:
    if keep_read_access:
        sc.prctl(sc.PR_SET_KEEPCAPS, 1)
    if scratch != view.SCRATCH_IN_VIEW:
        os.chown(scratch, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    sc.drop_capabilities(keep=CAP_DAC_READ_SEARCH if keep_read_access else 0)


def _traversable_by_others(exposure: view.Exposure) -> bool:
    for path in exposure.python:
        for ancestor in list(reversed(path.parents))[1:] + [path]:
            if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                return False
    return True


def _drop_capabilities() -> None:
    # Unconditionally: even a half-configured user namespace must not leave capabilities behind.
    try:
        sc.drop_capabilities()
    except OSError:
        pass  # no capabilities to drop where there is no user namespace


def _apply_landlock(exposure: view.Exposure, scratch: str, layers: list[str]) -> None:
    if "mount-view" in layers:  # everything left in sight is meant to be seen; this adds TCP and signals
        readable, hidden = [Path("/")], []
    else:
        readable, hidden = [*exposure.readable, *WEAK_EXTRA_READABLE], list(exposure.hidden)
    try:
        landlock.restrict(readable, [Path(scratch), Path("/dev/null")], hidden=hidden)
    except OSError:
        return
    layers.append("landlock")


def _apply_seccomp(layers: list[str]) -> None:
    if not seccomp.available():
        return
    no_writes = not ("mount-view" in layers or "landlock" in layers)  # nothing else confines them
    try:
        seccomp.install(no_writes)
    except OSError:
        return
    layers += ["seccomp", "no-file-writes"] if no_writes else ["seccomp"]
