"""A job in a fresh interpreter (spawn.py, for hosts without fork): set up as a forked job would be.

`python -P -m dlcheck.sandbox.spawned`, in the job's scratch directory, its output already captured.
Reads its role, limits and the grader's port and token from stdin (then closed), imports what the
role needs, connects back, applies its limits (where the `resource` module exists) and runs the role.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time


def main() -> None:
    config = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    from ..messages import JobLimits
    from . import zygote
    from .host import current

    zygote.unbuffered_output()
    zygote.preload()  # torch, the worker, the reference: before the grader's clock starts
    sock = socket.create_connection(("127.0.0.1", config["port"]))
    sock.sendall(bytes.fromhex(config["token"]))
    scratch = config["scratch"]
    os.chdir(scratch)
    zygote.use_scratch_as_tmp(scratch)
    layers = []
    if current().rlimits:
        limits = JobLimits(**config["limits"])
        zygote.apply_limits(limits, zygote.address_space_in_use(), cpu_used=time.process_time())
        layers.append("rlimits")
    zygote.serve_role(config["role"], sock, layers)
    os._exit(0)  # skip interpreter teardown with torch loaded


if __name__ == "__main__":
    main()
