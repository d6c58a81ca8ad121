"""The kernel layers of the sandbox, without the audit hooks: both paths a worker can take.

CI runs as root, which exercises the uid-drop path through the CLI. The user-namespace path (a
student grading on their own machine) is exercised here by a forked child that first becomes
`nobody` itself and then confines, exactly as a non-root worker would.
"""

from __future__ import annotations

import ctypes
import dataclasses
import encodings.idna  # noqa: F401 - socket lookups import it lazily; a confined child may not be able to
import json
import os
import socket
import sys
import tempfile
from pathlib import Path

import pytest

from dlcheck.sandbox import confine

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root (CI runs as root)")
NOBODY = 65534
MS_REMOUNT, MS_BIND, MS_REC = 32, 4096, 16384


def probe_in_child(scratch: Path, victim: Path, become_nobody_first: bool) -> dict:
    """Fork; in the child optionally become nobody, confine, then try to break out. Returns what happened."""
    confine.prepare()  # as the zygote does, before any job (and before this test's child switches users)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_end)
            if become_nobody_first:
                _make_python_reachable_by_everyone()
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            layers, in_view = confine.confine(str(scratch))
            outcome = {"layers": layers, "uid": os.getuid(), "scratch_path": in_view}
            outcome["victim"] = _attempt(lambda: os.close(os.open(victim, os.O_WRONLY | os.O_APPEND)))
            outcome["victim_read"] = _attempt(lambda: open(victim).read())
            outcome["scratch"] = _attempt(lambda: (Path(in_view) / "ok.txt").write_text("fine"))
            outcome["network"] = _attempt(lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))
            libc = ctypes.CDLL(None, use_errno=True)
            remounted = libc.mount(None, b"/", None, ctypes.c_ulong(MS_REMOUNT | MS_BIND | MS_REC), None)
            outcome["remount"] = "allowed" if remounted == 0 else os.strerror(ctypes.get_errno())
            os.write(write_end, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def _make_python_reachable_by_everyone() -> None:
    """A real non-root user can reach their Python; here it lies under a 0700 /root. In a private
    mount namespace, cover /root with a tmpfs holding only the installation (the machine is unchanged)."""
    from dlcheck.sandbox import syscalls as sc

    installation = Path(sys.base_prefix).resolve()  # a virtualenv's own prefix is reachable: its base may not be
    home = installation.parents[-2]  # /root for /root/.pyenv/versions/X
    if os.stat(home).st_mode & 0o001:
        return
    sc.unshare(sc.CLONE_NEWNS)
    sc.mount(None, "/", None, sc.MS_REC | sc.MS_PRIVATE)
    inside = installation.relative_to(home).parts[0]  # .pyenv
    stage = tempfile.mkdtemp()
    sc.mount(str(home / inside), stage, None, sc.MS_BIND | sc.MS_REC)
    sc.mount("tmpfs", str(home), "tmpfs", 0, "mode=0755")
    (home / inside).mkdir()
    sc.mount(stage, str(home / inside), None, sc.MS_MOVE)


def _attempt(action) -> str:
    try:
        action()
        return "allowed"
    except OSError as exc:
        return exc.strerror or type(exc).__name__


@pytest.fixture
def places():
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        os.chown(scratch, NOBODY, NOBODY)
        os.chmod(tmp, 0o755)
        victim = Path(tmp) / "victim.txt"
        victim.write_text("do not touch")
        os.chown(victim, NOBODY, NOBODY)  # writable by its owner: only the read-only mount can stop it
        yield scratch, victim


def test_root_worker_gets_its_own_uid_behind_namespaces_and_sees_only_its_view(places):
    scratch, victim = places
    outcome = probe_in_child(scratch, victim, become_nobody_first=False)
    assert {"net-namespace", "pid-namespace", "mount-view", "job-uid", "landlock", "seccomp"} <= set(outcome["layers"])
    assert outcome["uid"] >= confine.JOB_UID_BASE and outcome["scratch_path"] == "/scratch"
    assert outcome["victim"] == outcome["victim_read"] == "No such file or directory"  # not in its view
    assert outcome["scratch"] == "allowed"
    assert outcome["network"] == "Operation not permitted"  # seccomp refuses the socket itself
    assert outcome["remount"] != "allowed"
    assert victim.read_text() == "do not touch"


def test_unprivileged_worker_uses_a_user_namespace_and_keeps_no_capabilities(places):
    scratch, victim = places
    outcome = probe_in_child(scratch, victim, become_nobody_first=True)
    assert {"user-namespace", "pid-namespace", "mount-view", "seccomp"} <= set(outcome["layers"])
    assert outcome["uid"] == NOBODY and "job-uid" not in outcome["layers"]
    assert outcome["victim"] == "No such file or directory"  # its own file, yet out of sight
    assert outcome["scratch"] == "allowed"
    assert outcome["network"] == "Operation not permitted"
    assert outcome["remount"] == "Operation not permitted"
    assert victim.read_text() == "do not touch"


def test_an_installation_under_tmp_keeps_the_view(places):
    """A virtualenv in /tmp is exposed under the view's /tmp: the view must still be built (it once
    failed there and left the worker on Landlock alone) and show it, without the rest of /tmp."""
    scratch, victim = places
    venv_site = Path(tempfile.mkdtemp(dir="/tmp", prefix="dlcheck-venv-")) / "site-packages"
    venv_site.mkdir()
    (venv_site / "module.py").write_text("VALUE = 1\n")
    os.chmod(venv_site.parent, 0o755)
    exposure = confine.prepare()
    confine._exposure = dataclasses.replace(exposure, python=exposure.python + (venv_site,))
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                layers, _ = confine.confine(str(scratch))
                seen = {"layers": layers, "module": _attempt(lambda: open(venv_site / "module.py").read()),
                        "victim": _attempt(lambda: open(victim).read())}
                os.write(write_end, json.dumps(seen).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            seen = json.loads(pipe.read())
        os.waitpid(pid, 0)
    finally:
        confine.prepare()
    assert "mount-view" in seen["layers"], seen
    assert seen["module"] == "allowed" and seen["victim"] == "No such file or directory"
