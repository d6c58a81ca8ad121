"""Opening files a student controls, without letting the student choose what dlcheck reads or writes.

A submission is read through a descriptor opened with O_NOFOLLOW relative to its (resolved)
directory, then checked on the descriptor itself: a regular file, one hard link, not one of the
course's references, not larger than the cap. Checking the descriptor rather than the path means
a file swapped between the check and the read cannot slip through. dlcheck's own state files are
written the same way: into a directory opened without following links, atomically.

Windows has neither O_NOFOLLOW nor descriptors relative to a directory: there a file is opened by
path once lstat has said it is no link (nor junction), and the descriptor is then checked to be that
very file, so a swap in between is refused all the same.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

from .errors import DlcheckError

MAX_SUBMISSION_BYTES = 1_000_000
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # the flags Windows lacks count as none there
_PRIVATE = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0) | getattr(os, "O_BINARY", 0)
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _PRIVATE  # NONBLOCK: a FIFO must not hang us
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _PRIVATE
_BY_DIRECTORY = bool(_NOFOLLOW) and os.open in os.supports_dir_fd  # else: by path, checked (Windows)
_REPARSE_POINT = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT: Windows' symbolic links and junctions


class RejectedFile(DlcheckError):
    """A student-controlled file dlcheck refuses to read or write; the message says why, for the student.
    Grading turns it into an `error` result; elsewhere it is a clean usage error."""


def read_student_file(path: Path, *, forbidden_dir: Path | None = None,
                      max_bytes: int = MAX_SUBMISSION_BYTES) -> bytes:
    """The bytes of `path`, which must be a regular file reached without following a link in its
    last component, with no other hard links and outside `forbidden_dir` (the course's references)."""
    directory = Path(os.path.realpath(path.parent))
    if forbidden_dir is not None and _is_within(directory / path.name, Path(os.path.realpath(forbidden_dir))):
        raise RejectedFile(f"{path} is one of the course's reference files, not a submission")
    fd = _open_in(directory, path.name, path)
    try:
        info = os.fstat(fd)
        _check_regular(info, path)
        _check_size(info.st_size, max_bytes, path)
        return _read_all(fd, max_bytes, path)
    finally:
        os.close(fd)


def _open_in(directory: Path, name: str, shown: Path) -> int:
    if not _BY_DIRECTORY:
        return _open_checked(directory / name, _READ_FLAGS, shown)
    try:
        dir_fd = os.open(directory, _DIR_FLAGS)
    except OSError as exc:
        raise RejectedFile(f"cannot open the directory of {shown}: {exc.strerror}") from None
    try:
        return os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        raise RejectedFile(_open_problem(shown, exc)) from None
    finally:
        os.close(dir_fd)


def _open_checked(path: Path, flags: int, shown: Path) -> int:
    """Open `path` by name where no descriptor can be opened relative to its directory: refused if
    lstat says it is a link, and if the file opened is not the one lstat saw."""
    try:
        seen = os.lstat(path)
    except OSError as exc:
        raise RejectedFile(_open_problem(shown, exc)) from None
    if stat.S_ISLNK(seen.st_mode) or getattr(seen, "st_file_attributes", 0) & _REPARSE_POINT:
        raise RejectedFile(_open_problem(shown, OSError(errno.ELOOP, "a link")))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise RejectedFile(_open_problem(shown, exc)) from None
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino):
        os.close(fd)
        raise RejectedFile(f"{shown} was replaced while dlcheck opened it; grade it again")
    return fd


def _open_problem(shown: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return f"{shown} is a symbolic link; dlcheck grades only a regular file you wrote yourself"
    if exc.errno == errno.ENOENT:
        return f"{shown} does not exist"
    return f"cannot read {shown}: {exc.strerror}"


def _check_regular(info: os.stat_result, shown: Path) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise RejectedFile(f"{shown} is not a regular file")
    if info.st_nlink > 1:
        raise RejectedFile(f"{shown} has other hard links; grade a copy of your own file instead")


def _check_size(size: int, max_bytes: int, shown: Path) -> None:
    if size > max_bytes:
        raise RejectedFile(f"{shown} is larger than {max_bytes // 1000} kB; submit only your solution")


def _read_all(fd: int, max_bytes: int, shown: Path) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        _check_size(size, max_bytes, shown)  # the file may have grown after fstat
        chunks.append(chunk)


def _is_within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


# ---------------------------------------------------------------- dlcheck's own files in the workspace

class OwnDirectory:
    """dlcheck's own directory in the workspace (e.g. <workspace>/.dlcheck), refusing a link there.

    On POSIX it is a descriptor, and every file is opened relative to it without following links. On
    Windows, which opens no directory as a descriptor, it is the directory's resolved path, re-checked
    to be the same directory before each use, and each file is opened by path, checked as
    _open_checked does (no link, no junction, not swapped in between)."""

    def __init__(self, path: Path, create: bool):
        self.path = path
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.mkdir(path, 0o755)
            except FileExistsError:
                pass
        if _BY_DIRECTORY:
            self._fd: int | None = os.open(path, _DIR_FLAGS)
            self._identity = None
        else:
            self._fd = None
            self._identity = self._check_no_link()

    def __enter__(self) -> "OwnDirectory":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _check_no_link(self) -> tuple[int, int]:
        seen = os.lstat(self.path)
        if stat.S_ISLNK(seen.st_mode) or getattr(seen, "st_file_attributes", 0) & _REPARSE_POINT:
            raise OSError(errno.ELOOP, f"{self.path} is a link")
        if not stat.S_ISDIR(seen.st_mode):
            raise OSError(errno.ENOTDIR, f"{self.path} is not a directory")
        return seen.st_dev, seen.st_ino

    def _member(self, name: str) -> Path:
        """The path of `name` inside, once the directory is checked to be the one opened (Windows)."""
        if self._check_no_link() != self._identity:
            raise OSError(errno.ESTALE, f"{self.path} was replaced")
        return self.path / name

    def open(self, name: str, flags: int, mode: int = 0o644) -> int:
        if self._fd is not None:
            return os.open(name, flags, mode, dir_fd=self._fd)
        member = self._member(name)
        if flags & os.O_CREAT and flags & os.O_EXCL:
            return os.open(member, flags, mode)  # a new file: nothing there to be a link
        try:
            return _open_checked(member, flags, member)
        except RejectedFile as rejected:
            raise OSError(errno.ELOOP, str(rejected)) from None

    def exists(self, name: str) -> bool:
        try:
            if self._fd is not None:
                os.stat(name, dir_fd=self._fd, follow_symlinks=False)
            else:
                os.lstat(self._member(name))
        except FileNotFoundError:
            return False
        return True

    def mkdir(self, name: str) -> None:
        try:
            if self._fd is not None:
                os.mkdir(name, 0o755, dir_fd=self._fd)
            else:
                os.mkdir(self._member(name), 0o755)
        except FileExistsError:
            pass

    def subdirectory(self, name: str) -> "OwnDirectory":
        self.mkdir(name)
        if self._fd is None:
            return OwnDirectory(self._member(name), create=False)
        sub = OwnDirectory.__new__(OwnDirectory)
        sub.path, sub._identity = self.path / name, None
        sub._fd = os.open(name, _DIR_FLAGS, dir_fd=self._fd)
        return sub

    def replace(self, source: str, target: str) -> None:
        if self._fd is not None:
            os.replace(source, target, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        else:
            os.replace(self._member(source), self._member(target))

    def unlink(self, name: str) -> None:
        if self._fd is not None:
            os.unlink(name, dir_fd=self._fd)
        else:
            os.unlink(self._member(name))


def open_own_directory(path: Path, create: bool) -> OwnDirectory:
    """dlcheck's directory `path` (e.g. <workspace>/.dlcheck), refusing a link there (OSError)."""
    return OwnDirectory(path, create)


def read_own_file(directory: OwnDirectory, name: str, max_bytes: int) -> bytes:
    fd = directory.open(name, _READ_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{name} is not a regular file")
        data = os.read(fd, max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise OSError(f"{name} is too large")
    return data


def write_own_file(directory: OwnDirectory, name: str, data: bytes) -> None:
    """Replace `name` atomically: a fresh file (O_EXCL, never through a link) renamed over it."""
    temporary = f".{name}.{secrets.token_hex(8)}.tmp"
    fd = directory.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _PRIVATE, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        directory.replace(temporary, name)
    except BaseException:
        try:
            directory.unlink(temporary)
        except OSError:
            pass
        raise


NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _PRIVATE


def create_student_file(path: Path, data: bytes, overwrite: bool) -> None:
    """Write a starter file: never through a link, and only over an existing regular file when asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _PRIVATE
    flags = flags if overwrite else flags | os.O_EXCL
    if not _BY_DIRECTORY:
        target = Path(os.path.realpath(path.parent)) / path.name
        fd = _open_checked(target, flags, path) if os.path.lexists(target) else _create(target, flags, path)
        _write_starter(fd, path, data)
        return
    dir_fd = os.open(os.path.realpath(path.parent), _DIR_FLAGS)
    try:
        try:
            fd = os.open(path.name, flags, 0o644, dir_fd=dir_fd)
        except OSError as exc:
            raise RejectedFile(_open_problem(path, exc)) from None
        _write_starter(fd, path, data)
    finally:
        os.close(dir_fd)


def _create(target: Path, flags: int, shown: Path) -> int:
    try:
        return os.open(target, flags | os.O_EXCL, 0o644)
    except OSError as exc:
        raise RejectedFile(_open_problem(shown, exc)) from None


def _write_starter(fd: int, shown: Path, data: bytes) -> None:
    with os.fdopen(fd, "wb") as out:
        _check_regular(os.fstat(fd), shown)  # truncate nothing but the file itself (no FIFO, no hard link)
        out.truncate(0)
        out.write(data)
