"""The course: where exercises and solutions live, and looking exercises up by id."""

from __future__ import annotations

import difflib
import json
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .chapters import CHAPTERS
from .errors import SpecError, UsageError

if TYPE_CHECKING:
    from .spec import CodeExercise, SymbolicExercise

    Spec = CodeExercise | SymbolicExercise

COURSE_ENV = "DLCHECK_COURSE"
LISTING_FIELDS = ("id", "title", "chapter", "kind", "points", "is_draft")


class Course:
    def __init__(self, root: Path):
        # Resolved: paths are handed to sandboxed processes that run in another working directory.
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"Course({str(self.root)!r})"

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @cached_property
    def config(self):
        """The course's settings (course.yaml at its root; course_config.py)."""
        from .course_config import load_course_config

        return load_course_config(self.root)

    @property
    def fixtures(self) -> Path | None:
        path = self.exercises_dir / "fixtures.py"
        return path if path.is_file() else None

    def spec_paths(self) -> list[Path]:
        return sorted(self.exercises_dir.glob("*.yaml"))

    @cached_property
    def specs(self) -> list[Spec]:
        """Every exercise, in syllabus order (chapter, then file name). Raises on the first bad spec."""
        from .spec import load_spec

        return sorted((load_spec(path) for path in self.spec_paths()), key=lambda s: _syllabus_key(s.chapter, s.id))

    def listing(self, include_drafts: bool = False) -> list[dict]:
        """id, title, chapter, kind, points and is_draft of every exercise (drafts only when asked:
        students do not see them), in syllabus order.

        Specs that validated before and have not changed since (same mtime and size, same
        validator) come from a cache, so `dlcheck list` need not import YAML or the validator;
        any other spec is validated now, and a malformed one raises as always.
        """
        cache = _ListingCache(self.root)
        rows = []
        for path in self.spec_paths():
            row = cache.get(path)
            if row is None:
                from .spec import load_spec

                spec = load_spec(path)
                row = {field: getattr(spec, field) for field in LISTING_FIELDS}
                cache.put(path, row)
            rows.append(row)
        cache.save()
        rows = [row for row in rows if include_drafts or not row["is_draft"]]
        return sorted(rows, key=lambda r: _syllabus_key(r["chapter"], r["id"]))

    def student_specs(self) -> list[Spec]:
        """The exercises open to students: every spec but the drafts (spec.is_draft)."""
        return [spec for spec in self.specs if not spec.is_draft]

    def ids(self) -> list[str]:
        return [p.stem for p in self.spec_paths()]

    def get(self, exercise_id: str) -> Spec:
        from .spec import load_spec

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


def _syllabus_key(chapter: str, exercise_id: str) -> tuple[int, str]:
    return list(CHAPTERS).index(chapter), exercise_id


class _ListingCache:
    """Listing rows of validated specs, keyed by file name and (mtime, size), in the user's cache dir."""

    def __init__(self, course_root: Path):
        name = str(course_root).strip("/").replace("/", "__") or "root"  # one file per course
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        self.path = base / "dlcheck" / f"listing-{name}.json"
        # A new validator may reject what an old one accepted: its own file stamps the cache.
        validator = Path(__file__).with_name("spec.py").stat()
        self.stamp = [validator.st_mtime_ns, validator.st_size]
        self.entries = self._load()
        self.seen: set[str] = set()
        self.dirty = False

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        ok = isinstance(data, dict) and data.get("stamp") == self.stamp and isinstance(data.get("entries"), dict)
        return data["entries"] if ok else {}

    @staticmethod
    def _key(path: Path) -> list[int]:
        stat = path.stat()
        return [stat.st_mtime_ns, stat.st_size]

    def get(self, path: Path) -> dict | None:
        self.seen.add(path.name)
        entry = self.entries.get(path.name)
        row = entry.get("row") if isinstance(entry, dict) and entry.get("key") == self._key(path) else None
        if isinstance(row, dict) and set(LISTING_FIELDS) <= set(row):  # a row of an older dlcheck lacks fields
            return row
        return None

    def put(self, path: Path, row: dict) -> None:
        self.entries[path.name] = {"key": self._key(path), "row": row}
        self.dirty = True

    def save(self) -> None:
        stale = set(self.entries) - self.seen
        if not (self.dirty or stale):
            return
        for name in stale:
            del self.entries[name]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"stamp": self.stamp, "entries": self.entries}), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # a read-only home only costs speed
