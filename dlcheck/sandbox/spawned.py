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


def read_config() -> dict:
    """What the grader wrote on stdin (spawn.Spawner.start); stdin is /dev/null afterwards."""
    config = json.loads(sys.stdin.buffer.read())
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    return config


def connect_back(config: dict) -> socket.socket:
    """The connection to the grader, proven with the token it gave us."""
    sock = socket.create_connection(("127.0.0.1", config["port"]))
    sock.sendall(bytes.fromhex(config["token"]))
    return sock


def main() -> None:
    config = read_config()
    from ..messages import JobLimits
    from . import zygote
    from .host import current

    zygote.unbuffered_output()
    zygote.preload()  # torch, the worker, the reference: before the grader's clock starts
    sock = connect_back(config)
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
