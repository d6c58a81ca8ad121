"""Frames on a socket: sizes are checked from the header before anything is buffered, and reading
keeps its deadline, while waiting, while measuring and after decoding."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from dlcheck import wire
from dlcheck.messages import CaseResult, Ready, WorkerEvent
from dlcheck.sandbox.channel import Channel, ChannelClosed, ChannelOverflow, ChannelTimeout
from dlcheck.wire import Bounds

SMALL = Bounds(max_bytes=1024, max_nodes=64)


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    yield Channel(ours), theirs
    ours.close()
    theirs.close()


def test_messages_round_trip_in_order(pair):
    channel, theirs = pair
    sender = Channel(theirs)
    sender.send(Ready())
    sender.send(CaseResult(0, wire.encode((1, 2.5))))
    assert channel.receive(WorkerEvent, time.monotonic() + 5, SMALL) == Ready()
    assert channel.receive(WorkerEvent, time.monotonic() + 5, SMALL).value.items == [1, 2.5]
    assert channel.received == sum(4 + len(wire.pack(m)) for m in (Ready(), CaseResult(0, wire.encode((1, 2.5)))))


def test_an_oversized_frame_is_refused_from_its_header_alone(pair):
    channel, theirs = pair
    theirs.sendall(struct.pack(">I", 2**32 - 1))  # announces 4 GB, sends nothing more
    start = time.monotonic()
    with pytest.raises(ChannelOverflow) as error:
        channel.receive(WorkerEvent, time.monotonic() + 5, SMALL)
    assert time.monotonic() - start < 1  # not waiting for a body it will never read
    assert error.value.size == 2**32 - 1 and error.value.limit == 1024 and not error.value.whole_run


def test_the_whole_run_has_a_cap_too(pair):
    channel, theirs = pair
    channel.max_total_bytes = 100
    sender = Channel(theirs)
    for _ in range(20):
        sender.send(Ready())  # 4 + 16 bytes each: each frame is small, all of them are not
    with pytest.raises(ChannelOverflow) as error:
        for _ in range(20):
            channel.receive(WorkerEvent, time.monotonic() + 5, SMALL)
    assert error.value.whole_run and channel.received <= 100


def test_a_frame_that_never_completes_times_out(pair):
    channel, theirs = pair
    theirs.sendall(struct.pack(">I", 500) + b"\x83")  # a header and one byte of a 500-byte body
    start = time.monotonic()
    with pytest.raises(ChannelTimeout):
        channel.receive(WorkerEvent, time.monotonic() + 0.3, SMALL)
    assert time.monotonic() - start < 2


def test_a_frame_that_arrives_in_time_but_ends_after_the_deadline_once_decoded_times_out(pair, monkeypatch):
    channel, theirs = pair
    Channel(theirs).send(Ready())
    slow = wire.unpack

    def unpack_then_late(*args, **kwargs):
        message = slow(*args, **kwargs)
        time.sleep(0.3)
        return message

    monkeypatch.setattr(wire, "unpack", unpack_then_late)
    with pytest.raises(ChannelTimeout):
        channel.receive(WorkerEvent, time.monotonic() + 0.2, SMALL)


def test_a_sender_that_dies_mid_frame_is_a_closed_channel(pair):
    channel, theirs = pair
    theirs.sendall(struct.pack(">I", 500) + b"\x83")
    theirs.close()
    with pytest.raises(ChannelClosed):
        channel.receive(WorkerEvent, time.monotonic() + 5, SMALL)


def test_bounds_are_applied_to_the_body(pair):
    channel, theirs = pair
    body = b"\x83\xa5event\xa6result\xa4case\x00\xa5value\xdc\x01\x00" + b"\xc0" * 256  # 256 Nones
    theirs.sendall(struct.pack(">I", len(body)) + body)
    with pytest.raises(wire.WireError, match="more than 64 values"):
        channel.receive(WorkerEvent, time.monotonic() + 5, SMALL)


def test_large_trusted_frames_arrive_whole(pair):
    channel, theirs = pair
    payload = CaseResult(0, "x" * 5_000_000)
    sender = threading.Thread(target=Channel(theirs).send, args=(payload,))
    sender.start()
    assert channel.receive(WorkerEvent, time.monotonic() + 10) == payload  # no bounds: trusted
    sender.join()


def test_a_watch_ends_the_wait_before_the_deadline_even_mid_frame(pair):
    channel, theirs = pair
    theirs.sendall(struct.pack(">I", 500) + b"\x83")  # the body never completes
    asked = []

    def watch() -> float:  # like the CPU-time budget: look again in 0.05 s, give up on the fourth look
        asked.append(time.monotonic())
        return 0.05 if len(asked) < 4 else 0.0

    start = time.monotonic()
    with pytest.raises(ChannelTimeout):
        channel.receive(WorkerEvent, time.monotonic() + 30, SMALL, watch)
    assert len(asked) == 4 and time.monotonic() - start < 2


def test_a_message_arriving_while_a_watch_waits_is_received(pair):
    channel, theirs = pair
    threading.Timer(0.3, Channel(theirs).send, args=(Ready(),)).start()
    asked = []
    assert channel.receive(WorkerEvent, time.monotonic() + 30, SMALL, lambda: asked.append(1) or 0.05) == Ready()
    assert len(asked) >= 3  # it was asked again at each of its intervals
