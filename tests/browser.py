"""Headless Chromium (Debian's `chromium` package) for tests and scripts that look at a page as a browser does.

Runs as root here, hence --no-sandbox; each call gets a fresh profile directory so that parallel
runs never share one. `.ci/run` installs chromium, so CI never lacks it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome")
MISSING = (f"no headless browser: none of {', '.join(NAMES)} is on PATH "
           "(install Debian's package: apt-get install chromium; .ci/run does)")


def find_chromium() -> str | None:
    return next((path for path in map(shutil.which, NAMES) if path), None)


def _run(page: Path, *flags: str, timeout: float = 120) -> subprocess.CompletedProcess:
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError(MISSING)
    with tempfile.TemporaryDirectory(prefix="dlcheck-chromium-") as profile:
        done = subprocess.run([binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               "--hide-scrollbars", f"--user-data-dir={profile}", *flags, page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done


def dump_dom(page: Path) -> str:
    """The page's DOM after loading (scripts run), serialized."""
    return _run(page, "--dump-dom").stdout


def screenshot(page: Path, target: Path, width: int = 1200, height: int = 2400) -> Path:
    _run(page, f"--screenshot={target.resolve()}", f"--window-size={width},{height}")
    if not target.is_file():
        raise RuntimeError(f"chromium wrote no screenshot to {target}")
    return target
