"""A symbolic child in a fresh interpreter, for hosts without fork (sandbox/host.py: Windows).

`python -P -m dlcheck.symbolic.spawned`, started by client.SymbolicChecker through sandbox/spawn.py:
imports sympy and judges the warm-up request as the server does before forking, connects back,
then judges the one request the grader sends, exactly as a forked child (worker.py).
"""

from __future__ import annotations

import os

from ..sandbox.spawned import connect_back, read_config


def main() -> None:
    config = read_config()
    from . import server, worker

    server._preload()  # sympy and the warm-up, as the server does before forking
    worker.serve(connect_back(config))
    os._exit(0)  # skip interpreter teardown with sympy loaded


if __name__ == "__main__":
    main()
