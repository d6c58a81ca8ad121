"""The course: where exercises and solutions live, and looking exercises up by id."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import SpecError, UsageError
from .spec import CHAPTERS, CodeExercise, SymbolicExercise, load_spec

Spec = CodeExercise | SymbolicExercise
COURSE_ENV = "DLCHECK_COURSE"


@dataclass(frozen=True)
class Course:
    root: Path

    def __post_init__(self) -> None:
        # Paths are handed to sandboxed processes that run in another working directory.
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def fixtures(self) -> Path | None:
        path = self.exercises_dir / "fixtures.py"
        return path if path.is_file() else None

    def spec_paths(self) -> list[Path]:
        return sorted(self.exercises_dir.glob("*.yaml"))

    @cached_property
    def specs(self) -> list[Spec]:
        """Every exercise, in syllabus order (chapter, then file name). Raises on the first bad spec."""
        loaded = [load_spec(path) for path in self.spec_paths()]
        order = {chapter: i for i, chapter in enumerate(CHAPTERS)}
        return sorted(loaded, key=lambda s: (order[s.chapter], s.id))

    def ids(self) -> list[str]:
        return [p.stem for p in self.spec_paths()]

    def get(self, exercise_id: str) -> Spec:
        path = self.exercises_dir / f"{exercise_id}.yaml"
        if not path.is_file():
            raise UsageError(unknown_exercise_message(exercise_id, self.ids()))
        return load_spec(path)

    def reference_path(self, spec: Spec) -> Path:
        suffix = ".py" if spec.kind == "code" else ".txt"
        path = self.solutions_dir / f"{spec.id}{suffix}"
        if not path.is_file():
            raise SpecError(spec.source, None, f"its reference solution is missing: looked for {path}")
        return path

    def mistakes_path(self, spec: Spec) -> Path | None:
        path = self.solutions_dir / f"{spec.id}_mistakes.py"
        if spec.kind == "code" and spec.mistakes and not path.is_file():
            raise SpecError(spec.source, "mistakes", f"the known mistakes need {path}")
        return path if path.is_file() else None


def unknown_exercise_message(exercise_id: str, known: list[str]) -> str:
    close = difflib.get_close_matches(exercise_id, known, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run `dlcheck list` to see them."
    return f"No exercise '{exercise_id}'.{hint}"


def find_course(explicit: Path | None = None) -> Course:
    """The course directory: --course, then $DLCHECK_COURSE, then the checkout dlcheck runs from, then cwd."""
    candidates: list[tuple[str, Path]] = []
    if explicit is not None:
        candidates.append(("--course", explicit))
    elif os.environ.get(COURSE_ENV):
        candidates.append((f"${COURSE_ENV}", Path(os.environ[COURSE_ENV])))
    else:
        candidates.append(("the dlcheck checkout", Path(__file__).resolve().parent.parent))
        candidates.append(("the current directory", Path.cwd()))
    for _, path in candidates:
        if (path / "exercises").is_dir():
            return Course(path.resolve())
    looked = "; ".join(f"{path / 'exercises'} ({origin})" for origin, path in candidates)
    raise UsageError(f"No course found: there is no exercises/ directory at {looked}. "
                     f"Pass --course DIR or set {COURSE_ENV}.")
