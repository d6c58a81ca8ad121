"""The symbolic server: imports sympy once per grading run, then forks one child per answer.

`python -P -m dlcheck.symbolic.server FD`, started by the grading process (client.SymbolicChecker)
on its first symbolic answer. Protocol (sandbox/control.py; schemas in messages.py):
  SymbolicSpawn + [request socket] -> SpawnReply(pid): a child that reads one SymbolicRequest from
      the socket, judges it under the limits of worker.py and writes one SymbolicResponse back
  ReapRequest(pid, kill) -> ReapReply(exit | signal)
EOF on the control socket: kill every child left, exit.

Forking per answer keeps answers apart: every child starts from the same warm state (sympy and
dlcheck's symbolic modules imported, one fixed warm-up request judged), whatever it caches or
breaks dies with it, and a child that runs out of time or memory is killed alone.
"""

from __future__ import annotations

import os
import socket
import sys

from ..messages import ReapReply, SpawnReply, SymbolicControl, SymbolicSpawn
from ..sandbox.control import fork_job, killpg, reap, serve
from ..sandbox.host import current as current_host

# A trusted request that walks the judge's whole path once (a declared function, a derivative, a
# product to pretty-print, a wrong answer with a diagnosis): sympy imports parts of itself lazily on
# first use (pretty-printing a product pulls in sympy.physics.units), which would cost every child
# ~0.1 s again.
WARM_UP = {
    "answer": "2 x sigma(x)^2", "reference": "sigma(x)*(1 - sigma(x))",
    "symbols": {"x": {"domain": "real"}}, "functions": {"sigma": "logistic"},
    "mistakes": [{"id": "squared", "expr": "sigma(x)^2"}],
}
WARM_UP_SECONDS = 10.0


def main(control_fd: int) -> None:
    control = socket.socket(fileno=control_fd)
    _preload()
    server, children = os.getpid(), set()

    def handle(request: SymbolicControl, fds: list[int]) -> SpawnReply | ReapReply:
        if isinstance(request, SymbolicSpawn):
            pid = fork_job(control, fds, lambda fds: _run_child(fds[0], server))
            children.add(pid)
            return SpawnReply(pid)
        children.discard(request.pid)
        return reap(request.pid, request.kill)

    serve(control, SymbolicControl, handle, max_fds=1)
    for pid in children:
        killpg(pid)
    os._exit(0)  # skip interpreter teardown: the grader waits for us


def _preload() -> None:
    """Import everything a child needs and judge the warm-up request, so that forked children start warm."""
    from . import judge, worker  # noqa: F401 - judge: the one sympy import of a grading run
    from .timebox import Deadline

    judge.judge(WARM_UP, Deadline(WARM_UP_SECONDS))


def _run_child(request_fd: int, server: int) -> None:
    current_host().die_with_parent()  # Linux: a server killed from outside takes its children along
    if os.getppid() != server:
        os._exit(1)  # it died before we could ask
    os.setsid()  # its own process group: the grader's deadline kills the whole group
    request_fd = _keep_only(request_fd)
    from . import worker

    worker.serve(socket.socket(fileno=request_fd))
    os._exit(0)


def _keep_only(request_fd: int) -> int:
    """Close every descriptor but the request socket (now fd 3), with /dev/null as 0, 1 and 2: no
    child holds another request's socket, and nothing printed can reach the reply."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if request_fd != 3:
        os.dup2(request_fd, 3, inheritable=False)
    import resource

    os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    return 3


if __name__ == "__main__":
    main(int(sys.argv[1]))
