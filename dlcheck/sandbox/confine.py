"""Kernel-level confinement of a student worker, applied in the forked child before student code runs.

Layers, each applied where the machine allows it (the report header lists what was applied):
- namespaces: a new network namespace (no interface is up: nothing can be reached, not even the
  host's loopback) and a new mount namespace in which every mount is read-only except the job's
  scratch directory, itself a 64 MB tmpfs. As root this needs no help; otherwise an unprivileged user namespace is used.
- uid-drop: as root, the worker becomes `nobody` (the grader's files are not writable by it).
  Ancestors of the Python installation that `nobody` cannot traverse (e.g. a 0700 /root holding
  pyenv) are covered by a tmpfs holding only the installation, which also hides their contents.
- outside root, all capabilities gained in the user namespace are dropped again, so the
  submission cannot remount anything writable.
- no_new_privs is always set: no exec can regain privileges.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 2, 4, 4096, 8192, 16384, 1 << 18
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID = 0x1, 0x2
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
SYS_MOUNT_SETATTR = 442  # the same on x86_64 and aarch64
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}.get(os.uname().machine, 126)
PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE = 38, 4
NOBODY = 65534
SCRATCH_MB = 64

_libc = ctypes.CDLL(None, use_errno=True)


class ConfinementError(OSError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise ConfinementError(errno, f"{what}: {os.strerror(errno)}")


def prctl(option: int, value: int) -> int:
    return _libc.prctl(option, value, 0, 0, 0)


def set_dumpable(flag: bool) -> None:
    """A non-dumpable process cannot be ptraced or have its memory read by same-uid processes."""
    prctl(PR_SET_DUMPABLE, int(flag))


def confine(scratch: str) -> list[str]:
    """Confine this process; returns the names of the layers that were applied."""
    layers = []
    root = os.geteuid() == 0
    try:
        _enter_namespaces(root)
        _expose_python_to(NOBODY if root else os.geteuid(), scratch)
        _read_only_except(scratch)
        layers.append("namespaces")
    except (ConfinementError, OSError):
        pass  # no namespaces here: the audit hooks and rlimits still apply
    if root:
        _become_nobody(scratch)
        layers.append("uid-drop")
    else:
        # Unconditionally: even a half-configured user namespace must not leave capabilities behind.
        _drop_capabilities()
    _check(prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    return layers


def _enter_namespaces(root: bool) -> None:
    if root:
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    else:
        uid, gid = os.geteuid(), os.getegid()
        _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET), "unshare")
        set_dumpable(True)  # /proc/self/*_map belong to root while we are not dumpable
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        finally:
            set_dumpable(False)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we do propagates back to the host


def _expose_python_to(uid: int, scratch: str) -> None:
    """Cover each ancestor `uid` cannot traverse with a tmpfs holding only what Python needs."""
    if uid == os.geteuid():
        return
    needed = {Path(p).resolve() for p in [sys.prefix, sys.base_prefix, *sys.path] if p and Path(p).exists()}
    blocked: dict[Path, set[str]] = {}
    for path in needed:
        for ancestor in list(reversed(path.parents))[1:]:
            if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                blocked.setdefault(ancestor, set()).add(path.relative_to(ancestor).parts[0])
                break
    for ancestor, children in blocked.items():
        staging = [Path(scratch) / f".stage-{i}" for i in range(len(children))]
        for child, stage in zip(sorted(children), staging):
            stage.mkdir(mode=0o700)
            _mount(str(ancestor / child), str(stage), None, MS_BIND | MS_REC)
        _mount("tmpfs", str(ancestor), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
        for child, stage in zip(sorted(children), staging):
            (ancestor / child).mkdir()
            _mount(str(stage), str(ancestor / child), None, MS_MOVE)
            stage.rmdir()


def _read_only_except(scratch: str) -> None:
    # Scratch becomes a small tmpfs: its own mount (so it can stay writable) and a cap on the total
    # a submission can write, which RLIMIT_FSIZE (per file) does not give.
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, f"size={SCRATCH_MB}m,mode=0700")
    _mount_setattr("/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0)
    _mount_setattr(scratch, 0, 0, MOUNT_ATTR_RDONLY)


def _become_nobody(scratch: str) -> None:
    os.chown(scratch, NOBODY, NOBODY)
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _drop_capabilities() -> None:
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable (x2): all empty
    _check(_libc.syscall(SYS_CAPSET, header, data), "capset")


def _mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           f"mount {target}")


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _mount_setattr(path: str, flags: int, attr_set: int, attr_clr: int) -> None:
    attr = _MountAttr(attr_set, attr_clr, 0, 0)
    _check(_libc.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, path.encode(), flags, ctypes.byref(attr),
                         ctypes.sizeof(attr)), f"mount_setattr {path}")
