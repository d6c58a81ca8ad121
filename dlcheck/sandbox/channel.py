"""Length-prefixed msgpack frames over a Unix stream socket, read against deadlines and size caps.

A frame is a 4-byte big-endian length, then that many bytes of one msgpack message. The length is
checked before a byte of the body is read: a frame larger than allowed is refused without being
buffered. After a refusal the stream cannot be resynchronised, so the caller stops reading.
"""

from __future__ import annotations

import select
import socket
import struct
import time
from typing import Any, Callable

from .. import wire

HEADER = struct.Struct(">I")
# Trusted frames (a job to a worker, a reference's whole reply): large tensors, but never unbounded.
MAX_TRUSTED_FRAME_BYTES = 512 * 1024 * 1024
RECEIVE_CHUNK = 1 << 20
# Asked while waiting for bytes: how many seconds may pass before it is asked again, or <= 0 when a
# limit other than the deadline has been crossed (the grader's CPU-time budget, time_limits.py).
Watch = Callable[[], float]


class ChannelClosed(Exception):
    """The other side closed the connection (or died) before sending a full message."""


class ChannelTimeout(Exception):
    """No complete message arrived (and was checked) before the deadline."""


class ChannelOverflow(Exception):
    """The other side announced a frame larger than allowed; nothing of it was buffered."""

    def __init__(self, size: int, limit: int, whole_run: bool = False):
        self.size, self.limit, self.whole_run = size, limit, whole_run
        what = "all its messages together" if whole_run else "one message"
        super().__init__(f"a message of {size:,} bytes, more than the {limit:,} bytes allowed for {what}")


class Channel:
    def __init__(self, sock: socket.socket, max_frame_bytes: int = MAX_TRUSTED_FRAME_BYTES):
        self.sock = sock
        self.max_frame_bytes = max_frame_bytes
        self.max_total_bytes: int | None = None  # set by a reader of untrusted frames
        self.received = 0  # bytes of frames read so far, headers included

    def send(self, message: Any) -> None:
        frame = bytearray(HEADER.size)
        wire.pack_into(message, frame, HEADER.size)
        HEADER.pack_into(frame, 0, len(frame) - HEADER.size)
        self.sock.sendall(frame)

    def receive(self, schema: Any, deadline: float | None = None, bounds: wire.Bounds | None = None,
                watch: Watch | None = None) -> Any:
        """The next message, decoded as `schema`. `deadline` is a time.monotonic() value; `bounds`
        (for untrusted senders) caps this frame's size, nodes and depth; `watch`, asked while
        waiting for bytes (with a deadline), can end the wait before it.

        Raises ChannelClosed, ChannelTimeout, ChannelOverflow or wire.WireError."""
        (size,) = HEADER.unpack(self._read_exactly(HEADER.size, deadline, watch))
        self._check_size(size, bounds)
        body = memoryview(self._read_exactly(size, deadline, watch)).toreadonly()
        try:
            message = wire.unpack(body, schema, bounds, deadline)
        except wire.OutOfTime:
            raise ChannelTimeout() from None
        if deadline is not None and time.monotonic() > deadline:
            raise ChannelTimeout()  # in time on the socket is not enough: decoding counts too
        return message

    def _check_size(self, size: int, bounds: wire.Bounds | None) -> None:
        limit = min(self.max_frame_bytes, bounds.max_bytes) if bounds else self.max_frame_bytes
        if size > limit:
            raise ChannelOverflow(size, limit)
        if self.max_total_bytes is not None and self.received + size > self.max_total_bytes:
            raise ChannelOverflow(self.received + size, self.max_total_bytes, whole_run=True)

    def _read_exactly(self, count: int, deadline: float | None, watch: Watch | None) -> bytearray:
        buffer = bytearray(count)
        view = memoryview(buffer)
        done = 0
        while done < count:
            self._wait_readable(deadline, watch)
            try:
                got = self.sock.recv_into(view[done:], min(count - done, RECEIVE_CHUNK))
            except OSError:  # reset by a worker that died mid-frame
                got = 0
            if not got:
                raise ChannelClosed()
            done += got
        self.received += count
        return buffer

    def _wait_readable(self, deadline: float | None, watch: Watch | None) -> None:
        if deadline is None:
            return
        while True:
            remaining = deadline - time.monotonic()
            if watch is not None and remaining > 0:
                remaining = min(remaining, watch())
            if remaining <= 0:
                raise ChannelTimeout()
            if select.select([self.sock], [], [], remaining)[0]:
                return

    def close(self) -> None:
        self.sock.close()
