"""Tries to reach the test's loopback listener over TCP and UDP, through socket and _socket."""
import socket


def scaled_sum(x, alpha):
    outcomes = []
    for attempt in (lambda: socket.create_connection(("127.0.0.1", $PORT), timeout=1),
                    lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hi", ("127.0.0.1", $PORT)),
                    lambda: __import__("_socket").socket().connect(("127.0.0.1", $PORT))):
        try:
            attempt()
            outcomes.append("CONNECTED")
        except BaseException as exc:  # noqa: B902
            outcomes.append(type(exc).__name__)
    raise RuntimeError(str(outcomes))
