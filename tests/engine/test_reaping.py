"""How the fork servers reap a job (sandbox/control.py): at once when it exits, never before; after
the grace period, killed. Both with a pidfd and where there is none (polling)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from dlcheck.sandbox import control


def _child(action) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.setsid()
        action()
        os._exit(7)
    return pid


@pytest.fixture(params=["pidfd", "polling"])
def waiting(request, monkeypatch):
    if request.param == "polling":
        monkeypatch.delattr(os, "pidfd_open")
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("os.pidfd_open is not available on this platform")
    return request.param


def test_a_job_that_exits_is_reaped_with_its_status_without_waiting_out_the_grace(waiting):
    pid = _child(lambda: time.sleep(0.05))
    started = time.monotonic()
    reply = control.reap(pid, kill=False)
    assert reply.exit == 7 and reply.signal is None
    assert time.monotonic() - started < control.REAP_GRACE_SECONDS / 2


def test_a_job_that_does_not_exit_is_killed_after_the_grace(waiting, monkeypatch):
    monkeypatch.setattr(control, "REAP_GRACE_SECONDS", 0.3)
    pid = _child(lambda: time.sleep(60))
    started = time.monotonic()
    reply = control.reap(pid, kill=False)
    assert reply.signal == signal.SIGKILL
    assert 0.3 <= time.monotonic() - started < 10


def test_exits_within_does_not_reap(waiting):
    pid = _child(lambda: None)
    assert control._exits_within(pid, 5.0)
    assert control._exits_within(pid, 5.0)  # still there to be waited for: the pid is not reused yet
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 7
