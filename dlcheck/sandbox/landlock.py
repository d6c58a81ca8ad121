"""Landlock: the kernel's unprivileged, path-based access control, for the student worker.

It needs neither root nor namespaces, so it is what hides the course and confines writes where
namespaces are refused (a Docker container's default seccomp profile, Ubuntu's AppArmor rule for
user namespaces). The worker may read only the paths it is given (the Python installation, shared
libraries, a few device nodes), write only its scratch directory, make no TCP connection (ABI 4+),
and signal no process or reach no abstract socket outside its own domain (ABI 6+). Landlock also
refuses ptrace of processes outside the domain, so /proc/<grader>/mem and environ stay closed.
"""

from __future__ import annotations

import ctypes
import os
import stat
from pathlib import Path

from . import syscalls as sc

CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file may carry


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 where it has none (or a filter refuses it)."""
    try:
        return sc.syscall(sc.LANDLOCK_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION)
    except OSError:
        return 0


def _handled_fs(abi: int) -> int:
    rights = (1 << 13) - 1  # EXECUTE … MAKE_SYM: ABI 1
    for version, right in ((2, REFER), (3, TRUNCATE), (5, IOCTL_DEV)):
        if abi >= version:
            rights |= right
    return rights


def restrict(readable: list[Path], writable: list[Path], hidden: list[Path]) -> None:
    """Allow reading `readable`, everything in `writable`, nothing else; never anything under `hidden`
    (a readable directory that contains a hidden one is allowed child by child instead)."""
    abi = abi_version()
    if abi < 1:
        raise sc.SyscallError(38, "landlock: not available")
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled, (NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
                        (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = sc.syscall(sc.LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0)
    try:
        read = READ_FILE | READ_DIR
        for path in readable:
            for allowed in _allowed_beneath(path, hidden):
                _add_rule(ruleset, allowed, read & handled)
        for path in writable:
            _add_rule(ruleset, path, handled & ~(EXECUTE | MAKE_CHAR | MAKE_BLOCK))
        sc.syscall(sc.LANDLOCK_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)


def _allowed_beneath(path: Path, hidden: list[Path]) -> list[Path]:
    """`path` itself, or, when a hidden path lies inside it, each of its entries that holds none."""
    inside = [h for h in hidden if path in h.parents]
    if any(h == path or h in path.parents for h in hidden):
        return []
    if not inside or not path.is_dir():
        return [path]
    allowed = []
    for entry in sorted(path.iterdir()):
        allowed += _allowed_beneath(entry, inside)
    return allowed


def _add_rule(ruleset: int, path: Path, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # gone or unreachable: nothing to allow
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= FILE_RIGHTS
        rule = _PathBeneath(access, fd)
        sc.syscall(sc.LANDLOCK_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)
