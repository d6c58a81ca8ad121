"""The student's workspace: starter files, the submission to grade, and dlcheck's own progress file.

Grading only ever reads the student's files, and never through a link (see student_files). dlcheck
writes only when asked (`start`) and to its own state file, `.dlcheck/state.json`, which remembers
hints revealed and the last verdicts; it is replaced atomically, never written through a link.
"""

from __future__ import annotations

import difflib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .student_files import (OwnDirectory, RejectedFile, create_student_file, open_own_directory, read_own_file,
                            write_own_file)

WORKSPACE_ENV = "DLCHECK_WORKSPACE"
DEFAULT_WORKSPACE = "dlcheck-work"
SYMBOLIC_SUFFIXES = (".txt", ".tex")
STATE_DIR, STATE_FILE = ".dlcheck", "state.json"
MAX_STATE_BYTES = 1 << 20


def submission_names(exercise_id: str, kind: str) -> list[str]:
    """The file names a submission may have, the starter's first."""
    return [f"{exercise_id}{suffix}" for suffix in ((".py",) if kind == "code" else SYMBOLIC_SUFFIXES)]


class TwoSubmissions(UsageError):
    """Both <id>.txt and <id>.tex: dlcheck refuses to guess which one is the answer."""

    def __init__(self, exercise_id: str, paths: list[Path]):
        from .submission import display_name

        self.names = " and ".join(display_name(p) for p in paths)
        super().__init__(f"Both {self.names} exist for '{exercise_id}'; dlcheck will not guess which one is "
                         f"your answer: delete one of them (keep the one to be graded).")


class Workspace:
    def __init__(self, root: Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    @classmethod
    def locate(cls, explicit: Path | None) -> "Workspace":
        """--workspace, then $DLCHECK_WORKSPACE, then the nearest workspace at or above the current
        directory (discover), else ./dlcheck-work."""
        if explicit is not None:
            return cls(explicit)
        if os.environ.get(WORKSPACE_ENV):
            return cls(Path(os.environ[WORKSPACE_ENV]))
        return cls(discover(Path.cwd()))

    def starter_path(self, exercise_id: str, kind: str) -> Path:
        return self.root / submission_names(exercise_id, kind)[0]

    def candidates(self, exercise_id: str, kind: str) -> list[Path]:
        return [self.root / name for name in submission_names(exercise_id, kind)]

    def submission(self, exercise_id: str, kind: str) -> Path | None:
        """The workspace file for an exercise (the first of its names that exists; grading refuses
        both .txt and .tex, see require_submission).

        Anything by that name counts, a link included: grading then says why it refuses it
        (student_files), rather than pretending there is no submission."""
        existing = self.existing(exercise_id, kind)
        return existing[0] if existing else None

    def existing(self, exercise_id: str, kind: str) -> list[Path]:
        """Every workspace file by one of the exercise's names."""
        return [p for p in self.candidates(exercise_id, kind) if _lstat(p) is not None]

    def require_submission(self, exercise_id: str, kind: str) -> Path:
        """The one file to grade; a usage error when there is none, or both a .txt and a .tex (which
        one is newer says nothing about which one the student means: a checkout sets the times)."""
        existing = self.existing(exercise_id, kind)
        if len(existing) > 1:
            raise TwoSubmissions(exercise_id, existing)
        path = existing[0] if existing else None
        if path is None:
            looked = " or ".join(str(p) for p in self.candidates(exercise_id, kind))
            raise UsageError(f"No submission for '{exercise_id}': looked for {looked}. "
                             f"Run `dlcheck start {exercise_id}` to create it, or pass --file.")
        return path

    def start(self, exercise_id: str, kind: str, starter: str, force: bool) -> "Started":
        """Write the starter file. Never overwrites without `force`; with it, the old file is backed up first."""
        existing = self.submission(exercise_id, kind)
        if existing is not None and not force:
            return Started(existing, written=False)
        return self._write_starter(exercise_id, kind, starter)

    def reset(self, exercise_id: str, kind: str, starter: str) -> "Started":
        """`dlcheck reset`: back up the exercise's files, write the starter again, forget its hints and verdict."""
        started = self._write_starter(exercise_id, kind, starter)
        state = self.load_state()
        for part in ("hints", "results"):
            if isinstance(state[part], dict):
                state[part].pop(exercise_id, None)
        self.save_state(state)
        return started

    def _write_starter(self, exercise_id: str, kind: str, starter: str) -> "Started":
        """Every file of the exercise backed up (all of them before anything is changed; a link is
        refused), the other names removed so the starter is what gets graded, the starter written."""
        from .backup import back_up

        existing = [p for p in self.candidates(exercise_id, kind) if _lstat(p) is not None]
        if existing:
            with self._open_state_dir() as state_dir:
                backups = [back_up(state_dir, p) for p in existing]
        else:
            backups = []
        target = self.starter_path(exercise_id, kind)
        for path in existing:
            if path != target:
                os.unlink(path)  # a regular file of the student's, just backed up (unlink never follows a link)
        text = starter if starter.endswith("\n") else starter + "\n"
        create_student_file(target, text.encode("utf-8"), overwrite=True)
        return Started(target, written=True, backups=backups)

    # ------------------------------------------------------------ dlcheck's own state

    @property
    def state_path(self) -> Path:
        return self.root / STATE_DIR / STATE_FILE

    def load_state(self) -> dict[str, Any]:
        try:
            with open_own_directory(self.root / STATE_DIR, create=False) as directory:
                state = json.loads(read_own_file(directory, STATE_FILE, MAX_STATE_BYTES))
        except (OSError, ValueError):
            return {"hints": {}, "results": {}}
        if not isinstance(state, dict):
            return {"hints": {}, "results": {}}
        state.setdefault("hints", {})
        state.setdefault("results", {})
        return state

    def _open_state_dir(self) -> OwnDirectory:
        """.dlcheck/, created with its .gitignore if need be; RejectedFile for a link there."""
        try:
            directory = open_own_directory(self.root / STATE_DIR, create=True)
        except OSError as exc:
            raise RejectedFile(f"cannot use {self.root / STATE_DIR} ({exc.strerror or exc}); dlcheck keeps its "
                               f"state there and refuses a link") from None
        try:
            _ignore_for_git(directory)
        except OSError:
            pass  # only a convenience for git users
        return directory

    def save_state(self, state: dict[str, Any]) -> None:
        try:
            with self._open_state_dir() as directory:
                write_own_file(directory, STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())
        except (OSError, RejectedFile):
            pass  # progress tracking is a convenience (and a linked .dlcheck is refused): never fail over it

    def record_result(self, exercise_id: str, status: str, score: float, max_score: float) -> None:
        state = self.load_state()
        state["results"][exercise_id] = {"status": status, "score": score, "max_score": max_score,
                                         "at": time.strftime("%Y-%m-%dT%H:%M:%S")}
        self.save_state(state)

    def reveal_hint(self, exercise_id: str, available: int) -> int:
        """Reveal one more hint (up to `available`); returns how many are now revealed."""
        state = self.load_state()
        shown = min(int(state["hints"].get(exercise_id, 0)) + 1, available)
        state["hints"][exercise_id] = shown
        self.save_state(state)
        return shown

    def status(self, exercise_id: str, kind: str, state: dict[str, Any]) -> str:
        result = state["results"].get(exercise_id)
        if result:
            return {"pass": "passed", "fail": "failing", "error": "error"}.get(result.get("status"), "started")
        return "started" if self.submission(exercise_id, kind) else "not started"


@dataclass
class Started:
    """What `start` or `reset` did: the starter's path, whether it was written, the backups made."""

    path: Path
    written: bool
    backups: list[Path] = field(default_factory=list)


def discover(start: Path) -> Path:
    """The workspace for a command run in `start`, found as git finds a repository: the nearest
    directory at or above it that is one (named dlcheck-work, or holding dlcheck's .dlcheck/) or
    that holds a dlcheck-work/; else start/dlcheck-work. Relative to `start` when inside it.
    A link counts as found (it is not followed here): using it is then refused where it must be
    (a workspace inside the course, a linked .dlcheck), rather than passed over for another one."""
    for directory in (start, *start.parents):
        if directory.name == DEFAULT_WORKSPACE or _lstat(directory / STATE_DIR) is not None:
            return Path(".") if directory == start else directory
        if _lstat(directory / DEFAULT_WORKSPACE) is not None:
            return Path(DEFAULT_WORKSPACE) if directory == start else directory / DEFAULT_WORKSPACE
    return Path(DEFAULT_WORKSPACE)


GITIGNORE = "# dlcheck's own state (progress, hints, backups): not part of your work.\n*\n"


def _ignore_for_git(directory: OwnDirectory) -> None:
    """A .gitignore in .dlcheck/, so a workspace can be committed (GitHub Classroom) without the state."""
    if not directory.exists(".gitignore"):
        write_own_file(directory, ".gitignore", GITIGNORE.encode())


def stray_files(root: Path, kinds: dict[str, str], graded: set[str]) -> list[dict]:
    """Files in the workspace that will not be graded: names matching no exercise (with a did-you-mean)
    and exercises outside `graded`. `kinds` maps every exercise id of the course to its kind.
    Only names are looked at, never contents; notes and data files that resemble no exercise are left out."""
    try:
        names = sorted(entry.name for entry in os.scandir(root)
                       if not entry.name.startswith(".") and not entry.is_dir(follow_symlinks=False))
    except OSError:
        return []
    return stray_names(names, kinds, graded)


def stray_names(names: list[str], kinds: dict[str, str], graded: set[str]) -> list[dict]:
    """stray_files on a list of file names (a batch reads them from a zip or a commit)."""
    expected = {name: exercise_id for exercise_id, kind in kinds.items()
                for name in submission_names(exercise_id, kind)}
    warnings = []
    for name in names:
        if name in expected:
            if expected[name] not in graded:
                warnings.append({"file": name, "did_you_mean": None,
                                 "message": f"{name}: '{expected[name]}' is not part of this assignment; not graded."})
            continue
        warning = _misnamed(name, kinds)
        if warning is not None:
            warnings.append(warning)
    return warnings


def _misnamed(name: str, kinds: dict[str, str]) -> dict | None:
    # "Conv_Shape.py", "kl-gaussian.py", "conv_shape.py.txt": what precedes the first dot, normalised.
    stem = name.split(".", 1)[0].strip().lower().replace("-", "_").replace(" ", "_")
    close = [stem] if stem in kinds else difflib.get_close_matches(stem, list(kinds), n=1, cutoff=0.75)
    looks_like_submission = any(f".{part}" in (".py", *SYMBOLIC_SUFFIXES) for part in name.lower().split(".")[1:])
    if not close and not looks_like_submission:
        return None
    if not close:
        return {"file": name, "did_you_mean": None,
                "message": f"{name} matches no exercise and is not graded: name a submission <exercise id>.py "
                           f"(code) or <exercise id>.txt / .tex (symbolic)."}
    suggestion = submission_names(close[0], kinds[close[0]])[0]
    return {"file": name, "did_you_mean": suggestion,
            "message": f"{name} matches no exercise and is not graded. Did you mean {suggestion}?"}


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except OSError:
        return None


def recorded_score(exercise_id: str, state: dict[str, Any]) -> float | None:
    """The score of the exercise's last recorded grade, or None if it has none."""
    result = state["results"].get(exercise_id)
    score = result.get("score") if isinstance(result, dict) else None
    return float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None


def chapter_progress(rows: list[dict]) -> list[dict]:
    """Passed/total and points scored/possible per chapter, in the order the rows come (syllabus order).
    A row's `score` is its last recorded grade's (None: not graded)."""
    from .chapters import CHAPTERS

    progress: dict[str, dict] = {}
    for row in rows:
        entry = progress.setdefault(row["chapter"], {"chapter": row["chapter"], "title": CHAPTERS[row["chapter"]],
                                                     "passed": 0, "total": 0, "score": 0.0, "points": 0})
        entry["total"] += 1
        entry["passed"] += row["status"] == "passed"
        entry["points"] += row["points"]
        entry["score"] = round(entry["score"] + (row.get("score") or 0.0), 2)
    return list(progress.values())
