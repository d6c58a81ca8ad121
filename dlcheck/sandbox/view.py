"""What a student worker may see of the filesystem: the Python installation, shared libraries, a few
device nodes and its own scratch directory. Nothing else: not the course, not dlcheck's sources,
not the workspace, not the grader's working directory or home.

`Exposure` lists those paths (computed once in the zygote, before any job). Where a mount
namespace exists, `build_root` assembles them into a new root filesystem (a tmpfs with read-only
bind mounts), pivots into it and detaches the host's tree; elsewhere Landlock enforces the same
list by path (landlock.restrict).
"""

from __future__ import annotations

import os
import site
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from . import syscalls as sc

SCRATCH_IN_VIEW = "/scratch"
SCRATCH_MB = 64
SYSTEM_LIBRARIES = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


@dataclass(frozen=True)
class Exposure:
    python: tuple[Path, ...]  # the installation's module directories (stdlib, site-packages)
    system: tuple[Path, ...]  # shared libraries and the loader's cache
    devices: tuple[Path, ...]
    hidden: tuple[Path, ...]  # inside the above, but never shown: dlcheck's own package

    @property
    def readable(self) -> list[Path]:
        return [*self.python, *self.system, *self.devices]


def current_exposure() -> Exposure:
    """The paths this interpreter needs to import modules lazily (torch does), and nothing more.

    Only the installation's own directories: sys.path entries added by PYTHONPATH or a checkout
    (an editable install of dlcheck puts its checkout, course included, there) are not exposed;
    dlcheck's modules are all imported before a job starts."""
    paths = sysconfig.get_paths()
    candidates = [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    candidates += site.getsitepackages() + ([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])
    python = _outermost(Path(p).resolve() for p in candidates if p and os.path.isdir(p))
    system = _outermost(Path(p) for p in (*SYSTEM_LIBRARIES, *SYSTEM_FILES) if os.path.exists(p))
    package = Path(__file__).resolve().parents[1]
    hidden = tuple(p for p in (package,) if any(q in p.parents for q in python))
    return Exposure(tuple(python), tuple(system), tuple(Path(d) for d in DEVICES if os.path.exists(d)), hidden)


def _outermost(paths) -> tuple[Path, ...]:
    """Distinct paths, without those inside another one of them (a recursive bind covers them)."""
    unique = sorted(set(paths), key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in unique:
        if not any(k == path or k in path.parents for k in kept):
            kept.append(path)
    return tuple(kept)


def build_root(mount_point: str, exposure: Exposure, scratch_owner: int | None) -> str:
    """Make `mount_point` the root of a new filesystem holding only `exposure`, and enter it.

    Must run inside a fresh mount namespace (and, for /proc, as the first process of a fresh PID
    namespace). Returns the scratch directory's path inside the new root."""
    sc.mount(None, "/", None, sc.MS_REC | sc.MS_PRIVATE)  # nothing done here propagates to the host
    root = mount_point
    sc.mount("tmpfs", root, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV, "mode=0755,size=1m")
    for path in [*exposure.python, *exposure.system]:
        _expose(root, path)
    for device in exposure.devices:
        _bind_file(root, device)
    for hidden in exposure.hidden:
        sc.mount("tmpfs", root + str(hidden), "tmpfs", sc.MS_NOSUID | sc.MS_NODEV, "mode=0555,size=4k")
    _write_identity_files(root, scratch_owner)
    _mount_proc(root)
    scratch = root + SCRATCH_IN_VIEW
    os.mkdir(scratch, 0o700)
    owner = f",uid={scratch_owner},gid={scratch_owner}" if scratch_owner is not None else ""
    sc.mount("tmpfs", scratch, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV, f"size={SCRATCH_MB}m,mode=0700{owner}")
    if not os.path.lexists(root + "/tmp"):  # an exposed path may live there (a virtualenv in /tmp)
        os.symlink(SCRATCH_IN_VIEW.lstrip("/"), root + "/tmp")  # libraries that insist on /tmp get scratch
    sc.mount_setattr(root, sc.AT_RECURSIVE, sc.MOUNT_ATTR_RDONLY | sc.MOUNT_ATTR_NOSUID, 0)
    sc.mount_setattr(scratch, 0, 0, sc.MOUNT_ATTR_RDONLY)
    os.chdir(root)
    # pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the
    # new tree, with no directory to hold the old one (as runc does).
    sc.pivot_root(".", ".")
    sc.umount(".", sc.MNT_DETACH)
    os.chdir(SCRATCH_IN_VIEW)
    return SCRATCH_IN_VIEW


def _expose(root: str, path: Path) -> None:
    """Recreate `path` under root: a symlink stays a symlink (/lib -> usr/lib), the rest is bound read-only."""
    _make_parents(root, path)
    if path.is_symlink():
        os.symlink(os.readlink(path), root + str(path))
        target = path.parent / os.readlink(path)
        if os.path.exists(target):
            _expose(root, Path(os.path.normpath(target)))
        return
    if os.path.lexists(root + str(path)):
        return  # already there through another exposed path
    if path.is_dir():
        os.mkdir(root + str(path), 0o755)
        sc.mount(str(path), root + str(path), None, sc.MS_BIND | sc.MS_REC)
    else:
        _bind_file(root, path)


def _bind_file(root: str, path: Path) -> None:
    _make_parents(root, Path(path))
    target = root + str(path)
    with open(target, "w"):
        pass
    sc.mount(str(path), target, None, sc.MS_BIND)


def _make_parents(root: str, path: Path) -> None:
    for parent in reversed(path.parents[:-1]):  # outermost first, "/" itself excluded
        inside = root + str(parent)
        if not os.path.lexists(inside):
            os.mkdir(inside, 0o755)


def _write_identity_files(root: str, uid: int | None) -> None:
    """A passwd and group naming the worker (getpass and friends look it up), and nobody else."""
    os.makedirs(root + "/etc", 0o755, exist_ok=True)
    uid = os.getuid() if uid is None else uid
    with open(root + "/etc/passwd", "w") as passwd:
        passwd.write(f"student:x:{uid}:{uid}:dlcheck worker:{SCRATCH_IN_VIEW}:/nonexistent\n")
    with open(root + "/etc/group", "w") as group:
        group.write(f"student:x:{uid}:\n")


def _mount_proc(root: str) -> None:
    """A /proc of the job's own PID namespace: it shows the worker and nothing else."""
    os.mkdir(root + "/proc", 0o555)
    try:
        sc.mount("proc", root + "/proc", "proc", sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC)
    except OSError:
        pass  # refused where the host's /proc is partly masked (containers): the worker does without
