"""A class's submissions: one entry per student, read into memory as plain data.

SUBMISSIONS holds, per student, a folder, a `.zip`, or a git repository (a folder with `.git`:
its HEAD commit is what the student handed in, not whatever the working tree holds). The student
id is the entry's name (without `.zip`). Whatever the form, the student's files become a
`StudentFiles`: the top-level file names, and the bytes of those an exercise could use. Nothing
of a student's entry is executed or trusted here:

- a link (in a folder, a zip or a commit) is never followed: it is a refused file, like a workspace's;
- a zip's or commit's paths are only names: nothing is extracted to disk, so `../` and absolute
  names cannot write anywhere; sizes are capped before anything is read;
- git runs only plumbing that executes nothing a repository configures (`ls-tree`, `cat-file`
  without `--filters`: no smudge filters, hooks or fsmonitor), with the user's and system's git
  configuration ignored.
A submission wrapped in one folder (`alice.zip` holding `alice/conv_shape.py`) is unwrapped.
"""

from __future__ import annotations

import os
import stat
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..student_files import MAX_SUBMISSION_BYTES, RejectedFile, read_student_file

MAX_ENTRIES = 10_000  # files in one zip or commit: a class's submission holds tens
GIT_SECONDS = 60
IGNORED_TOP_LEVEL = ("__MACOSX",)  # what macOS's Finder adds to every zip


@dataclass
class StudentFiles:
    """One student's submission as data: safe to send to another process or machine."""

    id: str
    source: str  # the entry's name in SUBMISSIONS: "alice", "alice.zip"
    names: list[str] = field(default_factory=list)  # every top-level file name, for stray-file warnings
    files: dict[str, bytes] = field(default_factory=dict)  # the wanted files that could be read
    refused: dict[str, str] = field(default_factory=dict)  # wanted names that exist but are refused, and why
    problem: str | None = None  # why nothing of this submission could be read (a corrupt zip …)


@dataclass
class _Entry:
    """A file of a submission, before it is read: its path inside the submission and how to read it."""

    path: str
    is_link: bool
    size: int
    read: Callable[[], bytes]


def discover(submissions: Path) -> list[tuple[str, Path]]:
    """(student id, entry) for every student in SUBMISSIONS, sorted by id. Hidden entries are left out."""
    found: dict[str, Path] = {}
    for entry in sorted(os.scandir(submissions), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            student = entry.name
        elif entry.name.lower().endswith(".zip") and not entry.is_symlink():
            student = entry.name[:-4]
        else:
            continue
        if student in found:
            # Both `alice/` and `alice.zip`: grading either would silently drop the other.
            found[student] = None  # type: ignore[assignment]
            continue
        found[student] = Path(entry.path)
    return sorted(((s, p) for s, p in found.items()), key=lambda pair: pair[0])


def read_student(student: str, entry: Path | None, wanted: set[str], references_dir: Path) -> StudentFiles:
    """The student's files: every name, and the bytes of the `wanted` ones."""
    files = StudentFiles(student, entry.name if entry is not None else student)
    if entry is None:
        files.problem = (f"there are both a folder and a zip for '{student}'; keep one so that it is clear "
                         f"what was handed in")
        return files
    try:
        if entry.is_dir() and (entry / ".git").exists():
            entries = _git_entries(entry)
        elif entry.is_dir():
            entries = _folder_entries(entry, references_dir)
        else:
            entries = _zip_entries(entry)
        _select(files, _unwrapped(entries), wanted)
    except _Unreadable as exc:
        files.problem = str(exc)
    return files


class _Unreadable(Exception):
    """The submission as a whole cannot be read; the message says why, for the instructor."""


def _select(files: StudentFiles, entries: list[_Entry], wanted: set[str]) -> None:
    seen = set()
    for entry in entries:
        if "/" in entry.path:
            continue  # files in sub-folders are not submissions (nor stray ones)
        if entry.path in seen:
            files.refused[entry.path] = f"{entry.path} appears twice in the submission"
            files.files.pop(entry.path, None)
            continue
        seen.add(entry.path)
        files.names.append(entry.path)
        if entry.path not in wanted:
            continue
        if entry.is_link:
            files.refused[entry.path] = (f"{entry.path} is a symbolic link; dlcheck grades only a regular "
                                         f"file you wrote yourself")
        elif entry.size > MAX_SUBMISSION_BYTES:
            files.refused[entry.path] = (f"{entry.path} is larger than {MAX_SUBMISSION_BYTES // 1000} kB; "
                                         f"submit only your solution")
        else:
            try:
                files.files[entry.path] = entry.read()
            except RejectedFile as refused:
                files.refused[entry.path] = str(refused)
    files.names.sort()


def _unwrapped(entries: list[_Entry]) -> list[_Entry]:
    """The entries with one wrapping folder removed, when everything sits in one folder."""
    visible = [e for e in entries if not _hidden(e.path)]
    tops = {e.path.split("/", 1)[0] for e in visible}
    if len(tops) == 1 and all("/" in e.path for e in visible):
        prefix = tops.pop() + "/"
        return [_Entry(e.path[len(prefix):], e.is_link, e.size, e.read) for e in visible]
    return visible


def _hidden(path: str) -> bool:
    return any(part.startswith(".") or part in IGNORED_TOP_LEVEL for part in path.split("/"))


# ------------------------------------------------------------------ folders

def _folder_entries(root: Path, references_dir: Path) -> list[_Entry]:
    """The files of a folder and of its sub-folders one level down (a wrapper), never through a link."""
    entries: list[_Entry] = []
    for entry in _scan(root):
        if entry.is_dir(follow_symlinks=False):
            entries += [_folder_entry(f"{entry.name}/{inner.name}", Path(inner.path), inner, references_dir)
                        for inner in _scan(Path(entry.path)) if not inner.is_dir(follow_symlinks=False)]
        else:
            entries.append(_folder_entry(entry.name, Path(entry.path), entry, references_dir))
    return entries


def _scan(directory: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as listing:
            return sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        raise _Unreadable(f"cannot list {directory}: {exc.strerror or exc}") from None


def _folder_entry(path: str, full: Path, entry: os.DirEntry, references_dir: Path) -> _Entry:
    # read_student_file refuses links, FIFOs, hard links and the course's references on the descriptor.
    return _Entry(path, entry.is_symlink(), 0,
                  lambda: read_student_file(full, forbidden_dir=references_dir))


# ------------------------------------------------------------------ zips

def _zip_entries(path: Path) -> list[_Entry]:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _Unreadable(f"{path.name} is not a readable zip file ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise _Unreadable(f"{path.name} holds {len(infos)} files; a submission holds at most {MAX_ENTRIES}")
    return [_Entry(info.filename.strip("/"), _zip_link(info), info.file_size, _zip_reader(archive, info))
            for info in infos if not info.is_dir()]


def _zip_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _zip_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with archive.open(info) as stream:
                data = stream.read(MAX_SUBMISSION_BYTES + 1)  # the header's size may lie
        except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError) as exc:
            raise RejectedFile(f"{info.filename} cannot be read from the zip ({exc})") from None
        if len(data) > MAX_SUBMISSION_BYTES:
            raise RejectedFile(f"{info.filename} is larger than {MAX_SUBMISSION_BYTES // 1000} kB; "
                               f"submit only your solution")
        return data
    return read


# ------------------------------------------------------------------ git repositories

def _git(repository: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git plumbing on the repository's object store, executing nothing it configures."""
    command = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
               "-c", "safe.directory=*", f"--git-dir={repository / '.git'}", *args]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C"}
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, env=env, timeout=GIT_SECONDS)
    except FileNotFoundError:
        raise _Unreadable("git is not installed, so git repositories cannot be read") from None
    except subprocess.TimeoutExpired:
        raise _Unreadable(f"git did not answer within {GIT_SECONDS} s") from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise _Unreadable(f"{repository.name} is not a readable git repository with a commit "
                          f"({why[-1] if why else 'git exit ' + str(done.returncode)})")
    return done.stdout


def _git_entries(repository: Path) -> list[_Entry]:
    listing = _git(repository, "ls-tree", "-r", "-z", "-l", "--full-tree", "HEAD")
    records = [r for r in listing.split(b"\0") if r]
    if len(records) > MAX_ENTRIES:
        raise _Unreadable(f"{repository.name}'s last commit holds {len(records)} files; at most {MAX_ENTRIES}")
    entries = []
    for record in records:
        meta, _, name = record.partition(b"\t")
        mode, kind, sha, size = meta.split()
        if kind != b"blob":
            continue  # a submodule: nothing to read
        path = name.decode("utf-8", errors="replace")
        entries.append(_Entry(path, mode == b"120000", int(size),
                              lambda sha=sha.decode(), path=path: _blob(repository, sha, path)))
    return entries


def _blob(repository: Path, sha: str, path: str) -> bytes:
    try:
        return _git(repository, "cat-file", "blob", sha)
    except _Unreadable as exc:
        raise RejectedFile(f"{path} cannot be read from the repository ({exc})") from None
