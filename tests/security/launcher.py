"""Set up one machine configuration, then exec a command in it.

    python -P -m tests.security.launcher CONFIG -- COMMAND...

e.g. `... user-no-ns -- python -m dlcheck grade --all --format json`. Must start as root. In order:

1. Non-root configurations: enter a private mount namespace (so nothing here is visible to the
   rest of the machine) and make the interpreter reachable for TEST_UID without changing the
   machine: every ancestor of the Python installation that others cannot traverse (pyenv under a
   0700 /root) is covered by a tmpfs holding only a bind mount of the installation. Then drop to
   TEST_UID (no supplementary groups, no capabilities left).
2. Configurations without namespaces or Landlock: install the seccomp filter (seccomp.py).
3. exec the command, which becomes the process the caller started: its pid is the grader's pid.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
from pathlib import Path

from tests.security import seccomp
from tests.security.configurations import BY_NAME, TEST_GID, TEST_UID

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda s: None if s is None else s.encode()  # noqa: E731
    if _libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def _untraversable_ancestors(paths: list[Path]) -> dict[Path, set[str]]:
    """For each path, its highest ancestor that others cannot traverse, and the child leading to it."""
    blocked: dict[Path, set[str]] = {}
    for path in paths:
        for ancestor in list(reversed(path.parents))[1:]:
            if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                blocked.setdefault(ancestor, set()).add(path.relative_to(ancestor).parts[0])
                break
    return blocked


def expose_python_privately() -> None:
    if _libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here propagates to the machine
    needed = sorted({Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.executable)})
    for ancestor, children in _untraversable_ancestors(needed).items():
        # Held open while the tmpfs covers them, then bound back in through /proc/self/fd.
        held = {child: os.open(ancestor / child, os.O_PATH) for child in children}
        _mount("tmpfs", str(ancestor), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
        for child, fd in held.items():
            (ancestor / child).mkdir()
            _mount(f"/proc/self/fd/{fd}", str(ancestor / child), None, MS_BIND | MS_REC)
            os.close(fd)


def drop_to_test_uid() -> None:
    os.setgroups([])
    os.setgid(TEST_GID)
    os.setuid(TEST_UID)  # from root to a non-root uid: every capability goes too


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--" or argv[0] not in BY_NAME:
        sys.exit(f"usage: python -P -m tests.security.launcher {{{','.join(BY_NAME)}}} -- COMMAND...")
    config, command = BY_NAME[argv[0]], argv[2:]
    if os.geteuid() != 0:
        sys.exit("tests.security.launcher must start as root")
    if not config.as_root:
        expose_python_privately()
        drop_to_test_uid()
    if config.refuse_namespaces or config.refuse_landlock:
        seccomp.install(config.refuse_namespaces, config.refuse_landlock)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
