"""`dlcheck gradescope build ASSIGNMENT OUT.zip`: the autograder zip Gradescope takes.

At the zip's root, as Gradescope's specification asks, `setup.sh` (installs Python 3.11 where
needed and dlcheck with CPU-only torch) and `run_autograder` (grades /autograder/submission and
always writes /autograder/results/results.json), both executable; beside them the dlcheck source
to install (dlcheck-src/: pyproject.toml, README.md, dlcheck/), the course dlcheck would use
(course/exercises, course/solutions), the assignment file (assignment/<name>) and a secret drawn
for this build (dlcheck-secret), so that every run and regrade draws the same hidden cases.
"""

from __future__ import annotations

import io
import secrets
import shlex
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

SCRIPTS = Path(__file__).parent / "gradescope_autograder"
EXECUTABLE, READABLE, PRIVATE = 0o755, 0o644, 0o600
SKIPPED_NAMES = ("__pycache__",)


@dataclass(frozen=True)
class Built:
    path: Path
    exercises: list[str]
    files: int
    allow_weak_sandbox: bool

    def summary(self) -> str:
        weak = (" It grades with --allow-weak-sandbox: every result it writes says the sandbox was weak."
                if self.allow_weak_sandbox else "")
        return (f"Wrote {self.path} ({self.files} files: setup.sh, run_autograder, dlcheck, the course, the "
                f"assignment) for {len(self.exercises)} exercise(s): {', '.join(self.exercises)}. Upload it on "
                f"Gradescope's Configure Autograder page (docs/platforms.md).{weak}")


def build(assignment_file: Path, course, out: Path, allow_weak_sandbox: bool = False) -> Built:
    """Write the zip for `assignment_file` over `course` to `out` (atomically)."""
    from ..assignment import load_assignment
    from ..atomic_write import write_atomically

    loaded = load_assignment(assignment_file, course)  # a bad assignment is refused now, not on Gradescope
    _check_references(course, loaded)
    source = _dlcheck_source()
    entries = _entries(assignment_file, course, source, allow_weak_sandbox)
    if not out.parent.is_dir():
        raise UsageError(f"{out}: no directory {out.parent} to write it in.")
    if out.is_dir():
        raise UsageError(f"{out} is a directory; give the zip's file name.")
    write_atomically(out, _zip(entries), mode=PRIVATE)  # it holds the references and the secret
    return Built(out, [due.spec.id for due in loaded.exercises], len(entries), allow_weak_sandbox)


def _check_references(course, loaded) -> None:
    """Gradescope grades against the references and known mistakes: a student's copy has neither."""
    from ..errors import SpecError

    try:
        for due in loaded.exercises:
            course.reference_path(due.spec)
            course.mistakes_path(due.spec)
    except SpecError as missing:
        raise UsageError(f"{missing}. Build from the full course (--course DIR, with solutions/).") from None


def _dlcheck_source() -> Path:
    """The checkout dlcheck runs from: pyproject.toml beside the dlcheck/ package."""
    package = Path(__file__).resolve().parents[1]
    root = package.parent
    if not (root / "pyproject.toml").is_file():
        raise UsageError(f"dlcheck runs from {package}, with no pyproject.toml beside it: build the Gradescope zip "
                         f"from a checkout of dlcheck (pip install -e .), whose source the zip installs.")
    return root


def _entries(assignment_file: Path, course, source: Path, allow_weak_sandbox: bool) -> list[tuple[str, bytes, int]]:
    """(name in the zip, content, mode) for every file, in a stable order."""
    assignment_name = f"assignment/{assignment_file.name}"
    pyproject = (source / "pyproject.toml").read_text(encoding="utf-8")
    scripts = {
        "setup.sh": _script("setup.sh", {"TORCH_REQUIREMENT": _torch_requirement(pyproject)}),
        "run_autograder": _script("run_autograder", {
            "ASSIGNMENT": shlex.quote(assignment_name),
            "SANDBOX_OPTION": "--allow-weak-sandbox" if allow_weak_sandbox else "",
        }),
    }
    entries = [(name, text.encode("utf-8"), EXECUTABLE) for name, text in scripts.items()]
    entries.append(("dlcheck-secret", secrets.token_hex(32).encode("ascii"), PRIVATE))
    entries.append((assignment_name, assignment_file.read_bytes(), READABLE))
    entries.append(("dlcheck-src/pyproject.toml", pyproject.encode("utf-8"), READABLE))
    readme = source / "README.md"
    entries.append(("dlcheck-src/README.md", readme.read_bytes() if readme.is_file() else b"# dlcheck\n", READABLE))
    entries += _tree(source / "dlcheck", "dlcheck-src/dlcheck")
    entries += _tree(course.exercises_dir, "course/exercises")
    entries += _tree(course.solutions_dir, "course/solutions")
    return entries


def _script(name: str, values: dict[str, str]) -> str:
    text = (SCRIPTS / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def _torch_requirement(pyproject: str) -> str:
    """torch as pyproject.toml pins it (the CPU index serves that version)."""
    for requirement in tomllib.loads(pyproject)["project"]["dependencies"]:
        if requirement.replace(" ", "").startswith("torch=="):
            return requirement.replace(" ", "")
    raise UsageError("pyproject.toml pins no torch==VERSION; the autograder installs that version's CPU build.")


def _tree(directory: Path, prefix: str) -> list[tuple[str, bytes, int]]:
    """The regular files under `directory` (no links: nothing outside it can come along; no caches)."""
    found = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part in SKIPPED_NAMES or part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        mode = EXECUTABLE if path.stat().st_mode & 0o100 else READABLE
        found.append((f"{prefix}/{relative.as_posix()}", path.read_bytes(), mode))
    return found


def _zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    now = time.localtime()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name, date_time=now)
            info.create_system = 3  # Unix: unzip then applies the mode bits below
            info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
