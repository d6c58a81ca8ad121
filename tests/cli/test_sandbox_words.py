"""The sandbox in a student's words (issue 10): the text report says "sandboxed", or "sandboxed
(weak: …)" in plain words where layers are missing; the layer list only with `grade --verbose`.
The JSON result keeps its layers. Through the real CLI on the fixture course; the weak sandbox is a
real one, simulated by tests/security/launcher.py (a kernel that refuses namespaces and Landlock)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.cli.test_feedback_shown import env_for, screen_words
from tests.conftest import REPO, run_cli

CORRECT = "def scaled_sum(x, alpha):\n    return alpha * x.sum(dim=-1)\n"
JARGON = ("isolation", "namespace", "seccomp", "landlock", "rlimits", "uid", "audit-hooks", "no-new-privs")


@pytest.fixture
def workspace(tmp_path) -> Path:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "scaled_sum.py").write_text(CORRECT)
    return tmp_path


def header_lines(stdout: str) -> list[str]:
    """The lines above the report's body (the header, the file graded, the sandbox line)."""
    return stdout.splitlines()[:3]


def test_the_report_says_sandboxed_without_jargon_and_the_json_keeps_the_layers(workspace):
    text = run_cli("grade", "scaled_sum", cwd=workspace, env=env_for(workspace))
    assert text.returncode == 0, text.stdout + text.stderr
    assert "sandboxed" in header_lines(text.stdout)
    assert not any(word in text.stdout.lower() for word in JARGON), text.stdout
    data = json.loads(run_cli("grade", "scaled_sum", "--format", "json", cwd=workspace, env=env_for(workspace)).stdout)
    assert data["sandbox"]["trusted"] is True and "seccomp" in data["sandbox"]["layers"]
    assert data["isolation"] == ", ".join(data["sandbox"]["layers"])


def test_verbose_lists_the_layers(workspace):
    data = json.loads(run_cli("grade", "scaled_sum", "--format", "json", cwd=workspace, env=env_for(workspace)).stdout)
    text = run_cli("grade", "scaled_sum", "--verbose", cwd=workspace, env=env_for(workspace))
    assert text.returncode == 0, text.stdout + text.stderr
    words = screen_words(text.stdout)
    assert f"sandboxed; its layers: {', '.join(data['sandbox']['layers'])}" in words, text.stdout


def test_a_symbolic_answer_is_reported_without_jargon(tmp_path):
    env = {**env_for(tmp_path), "DLCHECK_COURSE": str(REPO)}
    done = run_cli("grade", "gan_optimal_discriminator", "--answer", r"\frac{p_d}{p_d + p_m}", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sandboxed" in header_lines(done.stdout) and "rlimits" not in done.stdout


def _weak_machine_unavailable() -> str | None:
    from tests.security.configurations import BY_NAME, why_unavailable

    return why_unavailable(BY_NAME["root-no-unshare-no-landlock"])


def grade_on_a_weak_machine(workspace: Path, *extra: str):
    """`dlcheck grade scaled_sum` as a student runs it where the kernel refuses namespaces and Landlock."""
    import subprocess

    launcher = [sys.executable, "-P", "-m", "tests.security.launcher", "root-no-unshare-no-landlock", "--"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), "HOME": str(workspace),
           "LANG": "C.UTF-8", **env_for(workspace)}
    env.pop("DLCHECK_SECRET")
    return subprocess.run([*launcher, sys.executable, "-m", "dlcheck", "grade", "scaled_sum", *extra],
                          cwd=workspace, env=env, capture_output=True, text=True, timeout=180)


def test_a_weak_sandbox_is_said_in_plain_words(workspace):
    why = _weak_machine_unavailable()
    if why:
        pytest.skip(f"cannot simulate a machine without namespaces and Landlock here: {why}")
    done = grade_on_a_weak_machine(workspace)
    assert done.returncode == 0, done.stdout + done.stderr  # practice: it grades, and warns on stderr
    words = screen_words(done.stdout)
    assert ("sandboxed (weak: this machine cannot hide the course's files from your code; fine for practice, "
            "but this grade cannot count)") in words, done.stdout
    assert not any(word in done.stdout.lower() for word in JARGON), done.stdout
    verbose = screen_words(grade_on_a_weak_machine(workspace, "--verbose").stdout)
    assert "its layers: job-uid, no-new-privs, seccomp" in verbose, verbose
    assert "missing: mount-view or landlock" in verbose
