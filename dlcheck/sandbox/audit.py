"""The last layer: Python audit hooks in the worker, installed just before the submission is imported.

They refuse, from Python code, what the kernel layers (confine.py) already prevent where namespaces
exist: network sockets, new processes, foreign-function calls (ctypes, the usual way around audit
hooks), signals to other processes, and file changes outside the job's scratch directory. An audit
hook cannot be removed once added. On its own it is not a security boundary (C extensions do not
raise audit events), which is why it is the fallback, not the first line.
"""

from __future__ import annotations

import os
import sys

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class SandboxViolation(RuntimeError):
    """Raised in place of an operation the sandbox does not allow."""


def install(scratch: str) -> None:
    # Bound now: the submission may replace os.path.realpath or os.fsdecode later; the hook must not
    # call anything it can patch.
    realpath, fsdecode, devnull = os.path.realpath, os.fsdecode, os.devnull
    scratch = realpath(scratch)
    own_pid = os.getpid()

    def refuse(what: str) -> None:
        raise SandboxViolation(f"{what} is not allowed while dlcheck grades your code")

    def writable(path) -> bool:
        if isinstance(path, int):
            return True  # an already-open descriptor (e.g. stdout)
        real = realpath(fsdecode(path))
        return real == devnull or real == scratch or real.startswith(scratch + os.sep)

    def on_open(args) -> None:
        path, mode, flags = args
        wants_write = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & WRITE_FLAGS)
        if wants_write and not writable(path):
            refuse(f"writing to {fsdecode(path) if not isinstance(path, int) else path}")

    def on_path_change(args) -> None:
        for path in args[:2]:
            if isinstance(path, (str, bytes, os.PathLike)) and not writable(path):
                refuse(f"changing {fsdecode(path)}")

    def on_kill(args) -> None:
        if args[0] not in (own_pid, 0):
            refuse("signalling another process")

    rules = {
        "open": on_open,
        "os.kill": on_kill,
        "os.killpg": lambda args: refuse("signalling a process group"),
    }
    for event in ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                  "os.symlink", "os.link", "os.utime", "shutil.rmtree", "os.setxattr", "os.removexattr"):
        rules[event] = on_path_change
    for event in ("socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo",
                  "socket.gethostbyname", "socket.gethostbyaddr"):
        rules[event] = lambda args, e=event: refuse(f"network access ({e})")
    for event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                  "os.forkpty", "pty.spawn", "os.startfile"):
        rules[event] = lambda args, e=event: refuse(f"starting a process ({e})")
    for event in ("resource.setrlimit", "resource.prlimit", "sys.remote_exec"):
        rules[event] = lambda args, e=event: refuse(f"changing sandbox limits ({e})")

    def hook(event: str, args) -> None:
        rule = rules.get(event)
        if rule is not None:
            rule(args)
        elif event.startswith("ctypes."):
            refuse(f"calling foreign code ({event})")

    sys.addaudithook(hook)
