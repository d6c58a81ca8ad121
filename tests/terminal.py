"""A real terminal for tests: a command in a tmux pane of a fixed size, driven with send-keys and read
with capture-pane, as a student at a terminal would see it.

Each Pane runs its own tmux server (a socket in the test's tmp_path), so tests never share one or
touch a developer's sessions. Screens are waited for with a deadline, polling, never a fixed sleep.
`.ci/run` installs Debian's tmux, so CI never lacks it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

MISSING = ("tmux is not installed: the watch-mode and spinner tests need a real terminal "
           "(install Debian's package: apt-get install tmux; .ci/run does)")
EXIT_LINE = re.compile(r"\[exit (\d+)\]")


def find_tmux() -> str | None:
    return shutil.which("tmux")


class Pane:
    """`dlcheck ARGS` in a tmux pane (stdin and stdout optionally redirected to files); when it exits,
    the pane prints `[exit N]` and whether the terminal is back in canonical mode (`icanon` from
    `stty -a`), and stays, so its last screen can still be read."""

    def __init__(self, tmp_path: Path, args: list[str], env: dict[str, str], cwd: Path, width: int = 110,
                 height: int = 60, stdin: str | None = None, stdout: str | None = None):
        self.socket = str(tmp_path / "tmux.sock")
        self.cwd = cwd
        dlcheck = (shlex.join([sys.executable, "-m", "dlcheck", *args]) + (f" < {shlex.quote(stdin)}" if stdin else "")
                   + (f" > {shlex.quote(stdout)}" if stdout else ""))
        # COLUMNS/LINES would override the pane's size in Rich: the pane's own size must decide.
        script = (f"cd {shlex.quote(str(cwd))} && unset COLUMNS LINES && {dlcheck}; echo \"[exit $?]\"; "
                  f"stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?icanon'; exec sleep 3600")
        exports = [item for key, value in env.items() for item in ("-e", f"{key}={value}")]
        self._tmux("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), *exports,
                   shlex.join(["bash", "-c", script]))

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args[:2])} failed: {done.stderr.strip()}")
        return done.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "t", *keys)

    def wait_for(self, wanted: str | Callable[[str], bool], timeout: float = 90, what: str = "") -> str:
        """The screen, once `wanted` (a substring or a predicate) holds; fails with the last screen, at
        once if the command has exited without it."""
        test = (lambda screen: wanted in screen) if isinstance(wanted, str) else wanted
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if test(screen):
                return screen
            if EXIT_LINE.search(screen):
                raise AssertionError(f"the command exited before showing {what or wanted!r}. The screen:\n{screen}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen within {timeout:g} s: {what or wanted!r}. The screen:\n{screen}")
            time.sleep(0.1)

    def exit_code(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while (found := EXIT_LINE.search(self.screen())) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"still running after {timeout:g} s. The screen:\n{self.screen()}")
            time.sleep(0.1)
        return int(found.group(1))

    def pid(self) -> int:
        """The pid of the command (the child of the pane's shell)."""
        shell = int(self._tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip())
        children = child_pids(shell)
        if not children:
            raise AssertionError("the pane's command is not running")
        return children[0]

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=30)


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is `parent` (from /proc/PID/stat; the comm field may hold spaces)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry))
    return sorted(found)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
