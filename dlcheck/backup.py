"""Backups of a student's file before dlcheck replaces it (`dlcheck reset`, `dlcheck start --force`).

The file is read as grading reads it (student_files: never through a link, a regular file with one
hard link) and copied into <workspace>/.dlcheck/backups/<name>.<timestamp><suffix>. Each backup is
a new file (O_EXCL): a second reset in the same second gets `-2`, never overwrites the first.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .student_files import NEW_FILE_FLAGS, OwnDirectory, RejectedFile, read_student_file

BACKUPS_DIR = "backups"


def back_up(state_dir: OwnDirectory, path: Path) -> Path:
    """Copy the student's file `path` into the backups/ of dlcheck's directory `state_dir`; returns
    the backup's path. Raises RejectedFile (a link, a hard link, not a regular file) before writing anything."""
    data = read_student_file(path)
    try:
        backups = state_dir.subdirectory(BACKUPS_DIR)
    except OSError as exc:
        raise RejectedFile(f"cannot use {state_dir.path / BACKUPS_DIR} for backups ({exc.strerror or exc}); "
                           f"is it a link?") from None
    with backups:
        name = _write_new(backups, path, data)
    return backups.path / name


def _write_new(directory: OwnDirectory, original: Path, data: bytes) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    stem, suffix = original.stem, original.suffix
    for attempt in range(1, 1000):
        name = f"{stem}.{stamp}{'' if attempt == 1 else f'-{attempt}'}{suffix}"
        try:
            fd = directory.open(name, NEW_FILE_FLAGS)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return name
    raise RejectedFile(f"too many backups of {original.name} this second; try again")
