"""What a student hands in, as text: the one thing the grading entry point receives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .student_files import RejectedFile, read_student_file

if TYPE_CHECKING:
    from .notebook import CellMap


@dataclass(frozen=True)
class Submission:
    text: str  # Python source, or the symbolic answer's file content / inline text
    name: str  # how reports and tracebacks call it (a path relative to the cwd, or "--answer")
    suffix: str  # ".py", ".txt", ".tex", ".ipynb", or "" for an answer given inline
    cells: CellMap | None = None  # a notebook's code: which cell each line of `text` came from (notebook.py)


def read_submission(path: Path, references_dir: Path | None, exercise_id: str | None = None,
                    kind: str = "code") -> Submission:
    """Read a student's file safely (see student_files); raises RejectedFile with the reason.
    A notebook (.ipynb) gives what it holds for `exercise_id` (notebook.py)."""
    if path.suffix == ".ipynb" and exercise_id is not None:
        from .notebook import MAX_NOTEBOOK_BYTES, notebook_submission

        data = read_student_file(path, forbidden_dir=references_dir, max_bytes=MAX_NOTEBOOK_BYTES)
        return notebook_submission(data, display_name(path), exercise_id, kind)
    data = read_student_file(path, forbidden_dir=references_dir)
    return submission_from_bytes(data, display_name(path), shown=path)


def submission_from_bytes(data: bytes, name: str, shown: Path | str | None = None) -> Submission:
    """A submission from a file's bytes (a batch reads them from a zip or a commit); `name` is what
    reports call it, and its suffix says how to read it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RejectedFile(f"{shown or name} is not UTF-8 text (byte {exc.start})") from None
    # One byte-order mark, as Windows editors write: not part of the text (Python's own parser refuses it
    # in a string). It sits on line 1, so every line number stays the file's.
    return Submission(text.removeprefix("\ufeff"), name, Path(name).suffix)


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


__all__ = ["RejectedFile", "Submission", "read_submission", "submission_from_bytes", "display_name"]
