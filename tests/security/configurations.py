"""The machine configurations the attacks run in, and a probe that tells whether this machine can
simulate each one.

This machine is root on kernel 6.x with user namespaces and Landlock. The others are simulated by
tests/security/launcher.py: a seccomp filter (seccomp.py) for a kernel or container that refuses
namespaces or lacks Landlock, and a drop to TEST_UID for a student or a non-root CI runner.
`trusted` is what the sandbox contract expects dlcheck to conclude there: configurations 1-4 can be
confined well enough for a verdict that counts (namespaces; or Landlock + seccomp, plus a per-job
uid as root), configuration 5 cannot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEST_UID = TEST_GID = 27182  # no account on the machine: nothing else runs as it


@dataclass(frozen=True)
class Configuration:
    name: str
    description: str
    as_root: bool
    refuse_namespaces: bool
    refuse_landlock: bool
    trusted: bool

    @property
    def uid(self) -> int:
        return 0 if self.as_root else TEST_UID

    def __str__(self) -> str:
        return self.name


ROOT_NS = Configuration("root-ns", "1: root with namespaces (the CI default)", True, False, False, True)
ROOT_NO_UNSHARE = Configuration("root-no-unshare", "2: root under Docker's seccomp profile (no namespaces)",
                                True, True, False, True)
USER_NS = Configuration("user-ns", "3: a non-root uid with unprivileged user namespaces", False, False, False, True)
USER_NO_NS = Configuration("user-no-ns", "4: a non-root uid without user namespaces (Ubuntu's AppArmor restriction)",
                           False, True, False, True)
ROOT_NO_UNSHARE_NO_LANDLOCK = Configuration(
    "root-no-unshare-no-landlock", "5: configuration 2 on a kernel without Landlock", True, True, True, False)
USER_NO_NS_NO_LANDLOCK = Configuration(
    "user-no-ns-no-landlock", "5: configuration 4 on a kernel without Landlock", False, True, True, False)

ALL = [ROOT_NS, ROOT_NO_UNSHARE, USER_NS, USER_NO_NS, ROOT_NO_UNSHARE_NO_LANDLOCK, USER_NO_NS_NO_LANDLOCK]
BY_NAME = {c.name: c for c in ALL}

# Runs after the launcher has set the configuration up: what does the kernel allow from here?
_PROBE = r"""
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
def in_child(call):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        result = call()
        os.write(w, str(0 if result == 0 else ctypes.get_errno()).encode())
        os._exit(0)
    os.close(w)
    answer = int(os.read(r, 16) or b"-1")
    os.waitpid(pid, 0)
    return answer
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x20000, 0x10000000, 0x40000000
flags = CLONE_NEWNS | CLONE_NEWNET | (0 if os.geteuid() == 0 else CLONE_NEWUSER)
abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))  # LANDLOCK_CREATE_RULESET_VERSION
print(json.dumps({"uid": os.getuid(), "unshare_errno": in_child(lambda: libc.unshare(flags)),
                  "landlock": abi if abi >= 0 else -ctypes.get_errno()}))
"""


def launch_command(config: Configuration, command: list[str]) -> list[str]:
    """The command that runs `command` inside `config` (-P: the launcher never imports from the cwd)."""
    return [sys.executable, "-P", "-m", "tests.security.launcher", config.name, "--", *command]


def why_unavailable(config: Configuration) -> str | None:
    """None when this machine simulates `config` faithfully, else the reason it cannot."""
    if os.geteuid() != 0:
        return "the test process is not root: it cannot drop to a test uid nor stand in for a root CI container"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), "HOME": "/"}
    try:
        done = subprocess.run(launch_command(config, [sys.executable, "-P", "-c", _PROBE]), cwd="/", env=env,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the launcher did not run: {exc}"
    if done.returncode != 0:
        return f"the launcher failed (exit {done.returncode}): {done.stderr.strip()[-600:]}"
    seen = json.loads(done.stdout)
    if seen["uid"] != config.uid:
        return f"expected uid {config.uid}, the probe ran as {seen['uid']}"
    if config.refuse_namespaces != (seen["unshare_errno"] != 0):
        return (f"namespaces should be {'refused' if config.refuse_namespaces else 'available'}, "
                f"unshare gave errno {seen['unshare_errno']} (are unprivileged user namespaces disabled?)")
    if config.refuse_landlock != (seen["landlock"] < 0):
        return (f"Landlock should be {'missing' if config.refuse_landlock else 'available'}, "
                f"landlock_create_ruleset gave {seen['landlock']} (a kernel without Landlock cannot stand in "
                f"for a trusted configuration)")
    return None
