"""Connects to the test's loopback listener from C++: torch's TCPStore client, which no audit hook sees."""
from datetime import timedelta


def solve(*args):
    try:
        from torch._C._distributed_c10d import TCPStore

        TCPStore("127.0.0.1", $PORT, 1, False, timedelta(seconds=0.8))
        outcome = "CONNECTED and talked to the listener"
    except BaseException as exc:  # noqa: B902
        outcome = f"TCPStore: {type(exc).__name__}: {str(exc)[:300]}"
    raise RuntimeError(outcome)
