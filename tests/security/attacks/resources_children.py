"""Starts child processes every way it can: fork, subprocess, a detached double-forked grandchild,
and the C-level fork_exec that audit hooks do not see."""
import os
import subprocess


def scaled_sum(x, alpha):
    started = []
    attempts = [
        lambda: subprocess.Popen(["sleep", "300"]),
        lambda: os.fork() or os._exit(0),
        lambda: _double_fork(),
        lambda: _fork_exec([b"/bin/sleep", b"300"]),
    ]
    for attempt in attempts:
        try:
            started.append(attempt())
        except BaseException as exc:  # noqa: B902
            started.append(repr(exc)[:80])
    while True:  # keep the worker alive so children would outlive it if they existed
        pass


def _double_fork():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            import time
            time.sleep(300)
        os._exit(0)


def _fork_exec(argv):
    """The C-level spawn behind subprocess, which raises no audit event (Python 3.11 signature)."""
    import _posixsubprocess
    r, w = os.pipe()
    return _posixsubprocess.fork_exec(argv, [argv[0]], True, (w,), None, None, -1, -1, -1, -1, -1, -1, r, w,
                                      False, False, -1, None, None, None, -1, None, False)
