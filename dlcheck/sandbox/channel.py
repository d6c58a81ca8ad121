"""Newline-delimited wire messages over a Unix socket, with deadlines and a size cap on reads."""

from __future__ import annotations

import select
import socket
import time
from typing import Any

from .. import wire


class ChannelClosed(Exception):
    """The other side closed the connection (or died) before sending a full message."""


class ChannelTimeout(Exception):
    """No complete message arrived before the deadline."""


class ChannelOverflow(Exception):
    """The other side sent a message larger than allowed."""


class Channel:
    def __init__(self, sock: socket.socket, max_bytes: int = wire.MAX_MESSAGE_BYTES):
        self.sock = sock
        self.max_bytes = max_bytes
        self._buffer = bytearray()

    def send(self, message: Any) -> None:
        self.sock.sendall(wire.dumps(message))

    def receive(self, deadline: float | None = None) -> Any:
        """The next message, decoded from JSON. `deadline` is a time.monotonic() value."""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return wire.loads(line)
            if len(self._buffer) > self.max_bytes:
                raise ChannelOverflow(f"message larger than {self.max_bytes} bytes")
            self._wait_readable(deadline)
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ChannelClosed()
            self._buffer += chunk

    def _wait_readable(self, deadline: float | None) -> None:
        if deadline is None:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.sock], [], [], remaining)[0]:
            raise ChannelTimeout()

    def close(self) -> None:
        self.sock.close()
