"""Every laptop: the macOS and Windows paths of the sandbox (sandbox/host.py), tested on Linux.

DLCHECK_HOST=posix makes this machine a host with fork but none of Linux's kernel layers (macOS);
DLCHECK_HOST=spawn one without fork, whose jobs are fresh interpreters (Windows). Through the real
CLI, each grades a correct, a wrong and a hanging submission and a symbolic answer; practice grading
says in one line what it got, and grading that counts refuses (exit 4) unless --allow-weak-sandbox.
A last test runs the CLI with what Windows lacks removed from `os` and the standard library.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from dlcheck.sandbox import host
from tests.conftest import FIXTURE_COURSE, REPO, SUBMISSIONS, put, run_cli

WEAK_HOSTS = ["posix", "spawn"]

# Runs dlcheck's CLI with what Windows lacks taken away: modules that do not exist there, and the os
# functions and flags it has not. (os.uname stays: numpy's Linux build calls it at import.)
WINDOWS_LIKE = """
import os, runpy, sys
for name in ("resource", "fcntl", "termios", "pwd", "grp"):
    sys.modules[name] = None
for attr in ("fork", "forkpty", "setsid", "sysconf", "memfd_create", "pidfd_open", "pread", "waitid",
             "O_NOFOLLOW", "O_DIRECTORY", "O_NONBLOCK", "getuid", "geteuid", "setresuid"):
    if hasattr(os, attr):
        delattr(os, attr)
# Windows opens no directory as a descriptor and no file relative to one.
os.supports_dir_fd = set()
_open = os.open
def _windows_open(path, flags, mode=0o777, *, dir_fd=None):
    if dir_fd is not None:
        raise NotImplementedError("dir_fd unavailable on this platform")
    if os.path.isdir(path):
        raise PermissionError(13, "Permission denied", path)
    return _open(path, flags, mode)
os.open = _windows_open
sys.argv = ["dlcheck", *sys.argv[1:]]
runpy.run_module("dlcheck", run_name="__main__")
"""


def environment(tmp_path: Path, host_name: str, course: Path = FIXTURE_COURSE) -> dict:
    return {"DLCHECK_COURSE": str(course), "DLCHECK_WORKSPACE": str(tmp_path / "ws"), "DLCHECK_HOST": host_name,
            "COLUMNS": "120", "XDG_CACHE_HOME": str(tmp_path / "cache"), "CI": ""}


def sandbox_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("sandboxed:")]


@pytest.mark.parametrize("host_name", WEAK_HOSTS)
def test_practice_grades_and_says_in_one_line_what_the_sandbox_has(tmp_path, host_name):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    done = run_cli("grade", "scaled_sum", cwd=tmp_path, env=environment(tmp_path, host_name))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout and "9/9 cases" in done.stdout
    assert sandbox_lines(done.stderr) == [
        "sandboxed: separate process, time and memory limits; not available here: system-call filter, hiding the "
        "course (fine for practice; a grade that counts needs them)"]

    put(tmp_path, "scaled_sum", "scaled_sum_mean")
    wrong = run_cli("grade", "scaled_sum", cwd=tmp_path, env=environment(tmp_path, host_name))
    assert wrong.returncode == 1 and "FAIL" in wrong.stdout
    assert "mean" in wrong.stdout  # the known mistake is named, as on Linux


@pytest.mark.parametrize("host_name", WEAK_HOSTS)
def test_a_hanging_submission_is_stopped_by_the_wall_clock(tmp_path, host_name):
    put(tmp_path, "scaled_sum", "scaled_sum_hangs")
    done = run_cli("grade", "scaled_sum", "--format", "json", "--allow-weak-sandbox", cwd=tmp_path,
                   env=environment(tmp_path, host_name))
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "error" and result["tests"][0]["status"] == "error"
    # Without /proc the grader cannot read the job's CPU time: wall time stands in, and it says so.
    assert ("Timed out on case 'single element' (limit 2 s of wall-clock time, as this machine cannot measure "
            "CPU time)") in result["message"]
    assert result["sandbox"]["trusted"] is False
    assert "seccomp" not in result["sandbox"]["layers"] and "rlimits" in result["sandbox"]["layers"]
    assert result["seconds"] < 30


@pytest.mark.parametrize("host_name", WEAK_HOSTS)
@pytest.mark.parametrize("counted", [["--format", "json"], ["--all"]], ids=["json", "all"])
def test_grading_that_counts_refuses_without_the_layers(tmp_path, host_name, counted):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    args = ["grade", "--all"] if counted == ["--all"] else ["grade", "scaled_sum", *counted]
    done = run_cli(*args, cwd=tmp_path, env=environment(tmp_path, host_name))
    assert done.returncode == 4, done.stdout + done.stderr
    assert done.stdout == ""
    assert "missing: seccomp; no-new-privs; mount-view or landlock (to hide the course)" in done.stderr
    assert "Grade that counts on Linux" in done.stderr and "--allow-weak-sandbox" in done.stderr


@pytest.mark.parametrize("host_name", WEAK_HOSTS)
def test_ci_refuses_a_weak_host_too(tmp_path, host_name):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    done = run_cli("grade", "scaled_sum", cwd=tmp_path, env={**environment(tmp_path, host_name), "CI": "true"})
    assert done.returncode == 4 and done.stdout == ""


@pytest.mark.parametrize("host_name", WEAK_HOSTS)
def test_symbolic_answers_are_checked_on_every_host(tmp_path, host_name):
    env = environment(tmp_path, host_name, course=REPO)
    right = run_cli("grade", "gan_optimal_discriminator", "--answer", r"\frac{p_d}{p_d + p_m}", "--format", "json",
                    cwd=tmp_path, env=env)
    assert right.returncode == 0, right.stderr
    assert json.loads(right.stdout)["status"] == "pass"
    swapped = run_cli("grade", "gan_optimal_discriminator", "--answer", r"\frac{p_m}{p_d + p_m}", "--format", "json",
                      cwd=tmp_path, env=env)
    assert json.loads(swapped.stdout)["diagnosis"]["id"] == "swapped_densities"


def test_the_switch_only_removes_layers(tmp_path):
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    unknown = run_cli("grade", "scaled_sum", cwd=tmp_path, env=environment(tmp_path, "bsd"))
    assert unknown.returncode == 2 and "DLCHECK_HOST='bsd' is not a host dlcheck knows" in unknown.stderr
    native = run_cli("grade", "scaled_sum", "--format", "json", cwd=tmp_path, env=environment(tmp_path, "linux"))
    assert native.returncode == 0, native.stderr
    assert "seccomp" in json.loads(native.stdout)["sandbox"]["layers"]


def test_the_switch_never_adds_layers(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv(host.HOST_ENV, "linux")
    assert host.native_name() == "posix"
    with pytest.raises(host.HostRefused, match="can only remove them"):
        host.chosen_name()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delattr("os.fork")
    monkeypatch.setenv(host.HOST_ENV, "posix")
    with pytest.raises(host.HostRefused):
        host.chosen_name()
    monkeypatch.delenv(host.HOST_ENV)
    assert host.chosen_name() == "spawn"


def test_the_cli_runs_without_what_windows_lacks(tmp_path):
    env = environment(tmp_path, "spawn")
    put(tmp_path, "scaled_sum", "scaled_sum_ok")
    listed = run_windows_like(tmp_path, env, "list")
    assert listed.returncode == 0, listed.stderr
    assert "scaled_sum" in listed.stdout
    graded = run_windows_like(tmp_path, env, "grade", "scaled_sum")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "PASS" in graded.stdout
    # No `resource` module in the grader: it does not claim a memory limit it cannot set.
    assert sandbox_lines(graded.stderr) == [
        "sandboxed: separate process, time limits; not available here: system-call filter, hiding the course, "
        "memory limit (fine for practice; a grade that counts needs them)"]
    # Without O_NOFOLLOW and descriptors relative to a directory, a link is still refused.
    (tmp_path / "ws" / "halve.py").symlink_to(FIXTURE_COURSE / "solutions" / "halve.py")
    linked = run_windows_like(tmp_path, env, "grade", "halve")
    assert linked.returncode == 1 and "is a symbolic link" in linked.stdout
    started = run_windows_like(tmp_path, env, "start", "square_grad")
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "ws" / "square_grad.py").read_text().startswith("def square_grad(x):")

    # Progress, hints and reset's backups work there too (dlcheck's own files, opened by checked path).
    state = json.loads((tmp_path / "ws" / ".dlcheck" / "state.json").read_text())
    assert state["results"]["scaled_sum"]["status"] == "pass"
    hinted = run_windows_like(tmp_path, env, "hint", "scaled_sum")
    assert hinted.returncode == 0, hinted.stderr
    assert json.loads((tmp_path / "ws" / ".dlcheck" / "state.json").read_text())["hints"] == {"scaled_sum": 1}
    (tmp_path / "ws" / "square_grad.py").write_text("# my attempt\n")
    reset = run_windows_like(tmp_path, env, "reset", "square_grad")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    backups = list((tmp_path / "ws" / ".dlcheck" / "backups").iterdir())
    assert [b.read_text() for b in backups] == ["# my attempt\n"]
    listed = run_windows_like(tmp_path, env, "list")
    assert re.search(r"scaled_sum .* passed", listed.stdout), listed.stdout


def run_windows_like(tmp_path: Path, env: dict, *args: str):
    import os
    import subprocess

    return subprocess.run([sys.executable, "-c", WINDOWS_LIKE, *args], cwd=tmp_path, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=180)


def test_reaping_where_neither_pidfd_nor_waitid_exists(monkeypatch):
    """macOS: the fork servers learn that a job exited only by reaping it, and still report how."""
    import os
    import signal

    from dlcheck.sandbox import control

    monkeypatch.delattr(os, "pidfd_open", raising=False)
    monkeypatch.delattr(os, "waitid", raising=False)
    for action, expected in ((lambda: os._exit(7), {"exit": 7, "signal": None}),
                             (lambda: os.kill(os.getpid(), signal.SIGKILL), {"exit": None, "signal": signal.SIGKILL})):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.setsid()
            action()
        reply = control.reap(pid, kill=False)
        assert {"exit": reply.exit, "signal": reply.signal} == expected
    monkeypatch.setattr(control, "REAP_GRACE_SECONDS", 0.3)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.setsid()
        __import__("time").sleep(60)
        os._exit(0)
    assert control.reap(pid, kill=False).signal == signal.SIGKILL
