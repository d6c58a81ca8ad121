"""Backups of a student's file before dlcheck replaces it (`dlcheck reset`, `dlcheck start --force`).

The file is read as grading reads it (student_files: never through a link, a regular file with one
hard link) and copied into <workspace>/.dlcheck/backups/<name>.<timestamp><suffix>. Each backup is
a new file (O_EXCL): a second reset in the same second gets `-2`, never overwrites the first.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .student_files import RejectedFile, read_student_file

BACKUPS_DIR = "backups"
# Flags Windows lacks count as none there (importing this module must work on every laptop); there,
# dlcheck's directory cannot be opened as a descriptor at all, so a reset refuses before changing anything.
_NOFOLLOW_CLOEXEC = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW_CLOEXEC


def back_up(state_fd: int, state_dir: Path, path: Path) -> Path:
    """Copy the student's file `path` into the backups/ of dlcheck's directory `state_dir` (open as
    `state_fd`); returns the backup's path. Raises RejectedFile (a link, a hard link, not a regular
    file) before writing anything."""
    data = read_student_file(path)
    backups_fd = _own_subdirectory(state_fd, BACKUPS_DIR, state_dir)
    try:
        name = _write_new(backups_fd, path, data)
    finally:
        os.close(backups_fd)
    return state_dir / BACKUPS_DIR / name


def _own_subdirectory(parent_fd: int, name: str, shown: Path) -> int:
    try:
        os.mkdir(name, 0o755, dir_fd=parent_fd)
    except FileExistsError:
        pass
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except OSError as exc:
        raise RejectedFile(f"cannot use {shown / name} for backups ({exc.strerror}); is it a link?") from None


def _write_new(dir_fd: int, original: Path, data: bytes) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    stem, suffix = original.stem, original.suffix
    for attempt in range(1, 1000):
        name = f"{stem}.{stamp}{'' if attempt == 1 else f'-{attempt}'}{suffix}"
        try:
            fd = os.open(name, _NEW_FILE, 0o644, dir_fd=dir_fd)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return name
    raise RejectedFile(f"too many backups of {original.name} this second; try again")
