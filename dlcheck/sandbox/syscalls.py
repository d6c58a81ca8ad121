"""The Linux system calls the sandbox needs that Python's os module lacks, through ctypes.

Numbers are per architecture: x86_64 and aarch64 (the generic table). On any other machine the
table is empty, the layers that need it are not applied, and the report says so.
"""

from __future__ import annotations

import ctypes
import os
import platform

# Imported on Linux only (host.LinuxHost), but importable anywhere: on Windows there is no C library
# to open by None, and every call here would fail cleanly.
_libc = ctypes.CDLL(None, use_errno=True) if os.name == "posix" else None
MACHINE = platform.machine()

# name -> number; only what the sandbox calls or filters.
_X86_64 = {
    "ioctl": 16, "open": 2, "creat": 85, "mkdir": 83, "rmdir": 84, "rename": 82, "link": 86, "unlink": 87,
    "symlink": 88, "chmod": 90, "fchmod": 91, "chown": 92, "fchown": 93, "lchown": 94, "truncate": 76,
    "utime": 132, "utimes": 235, "mknod": 133, "futimesat": 261,
    "openat": 257, "mkdirat": 258, "mknodat": 259, "fchownat": 260, "unlinkat": 263, "renameat": 264,
    "linkat": 265, "symlinkat": 266, "fchmodat": 268, "utimensat": 280, "renameat2": 316, "openat2": 437,
    "fchmodat2": 452, "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "removexattr": 197,
    "lremovexattr": 198, "fremovexattr": 199,
    "socket": 41, "connect": 42, "accept": 43, "bind": 49, "listen": 50, "socketpair": 53, "accept4": 288,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "process_madvise": 440,
    "pidfd_open": 434, "pidfd_send_signal": 424, "pidfd_getfd": 438,
    "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "mount_setattr": 442, "move_mount": 429, "open_tree": 428, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "clone": 56, "clone3": 435,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248,
    "request_key": 249, "kexec_load": 246, "kexec_file_load": 320, "init_module": 175,
    "finit_module": 313, "delete_module": 176, "reboot": 169, "swapon": 167, "swapoff": 168,
    "syslog": 103, "acct": 163, "quotactl": 179, "name_to_handle_at": 303, "open_by_handle_at": 304,
    "iopl": 172, "ioperm": 173, "vhangup": 153, "settimeofday": 164, "clock_settime": 227,
    "clock_adjtime": 305, "adjtimex": 159, "sethostname": 170, "setdomainname": 171,
    "capset": 126,
}
_AARCH64 = {
    "ioctl": 29, "mkdirat": 34, "unlinkat": 35, "symlinkat": 36, "linkat": 37, "renameat": 38,
    "truncate": 45, "fchmod": 52, "fchmodat": 53, "fchownat": 54, "fchown": 55, "openat": 56,
    "mknodat": 33, "utimensat": 88, "renameat2": 276, "openat2": 437, "fchmodat2": 452,
    "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14, "lremovexattr": 15, "fremovexattr": 16,
    "socket": 198, "socketpair": 199, "bind": 200, "listen": 201, "accept": 202, "connect": 203,
    "accept4": 242, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
    "process_madvise": 440, "pidfd_open": 434, "pidfd_send_signal": 424, "pidfd_getfd": 438,
    "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
    "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
    "mount_setattr": 442, "move_mount": 429, "open_tree": 428, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "clone": 220, "clone3": 435,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "bpf": 280, "perf_event_open": 241, "userfaultfd": 282, "keyctl": 219, "add_key": 217,
    "request_key": 218, "kexec_load": 104, "kexec_file_load": 294, "init_module": 105,
    "finit_module": 273, "delete_module": 106, "reboot": 142, "swapon": 224, "swapoff": 225,
    "syslog": 116, "acct": 89, "quotactl": 60, "name_to_handle_at": 264, "open_by_handle_at": 265,
    "vhangup": 58, "settimeofday": 170, "clock_settime": 112, "clock_adjtime": 266, "adjtimex": 171,
    "sethostname": 161, "setdomainname": 162, "capset": 91,
}
NUMBERS: dict[str, int] = {"x86_64": _X86_64, "aarch64": _AARCH64}.get(MACHINE, {})
# seccomp_data.arch for the native ABI (AUDIT_ARCH_*); None where dlcheck has no table.
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}.get(MACHINE)
# landlock, mount_setattr and friends share their numbers across architectures.
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x02000000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
NAMESPACE_FLAGS = (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID
                   | CLONE_NEWNET)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
MNT_DETACH = 2
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC = 0x1, 0x2, 0x4, 0x8
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_KEEPCAPS = 1, 4, 8
PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 22, 38, 36
SECCOMP_MODE_FILTER = 2


class SyscallError(OSError):
    """A system call the sandbox needs failed; errno and the call's name say which and why."""


def check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise SyscallError(errno, f"{what}: {os.strerror(errno)}")
    return result


def syscall(name_or_number: str | int, *args) -> int:
    number = NUMBERS.get(name_or_number) if isinstance(name_or_number, str) else name_or_number
    if number is None:
        raise SyscallError(38, f"{name_or_number}: not available on {MACHINE}")  # ENOSYS
    return check(_libc.syscall(number, *args), str(name_or_number))


def prctl(option: int, value: int, arg3: int = 0) -> int:
    return _libc.prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(arg3), 0, 0)


def set_dumpable(flag: bool) -> None:
    """A non-dumpable process cannot be ptraced or have its memory read by same-uid processes."""
    prctl(PR_SET_DUMPABLE, int(flag))


def unshare(flags: int) -> None:
    check(_libc.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda s: s.encode() if s is not None else None  # noqa: E731
    check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
          f"mount {target}")


def umount(target: str, flags: int = 0) -> None:
    check(_libc.umount2(target.encode(), flags), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    syscall("pivot_root", new_root.encode(), put_old.encode())


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def mount_setattr(path: str, flags: int, attr_set: int, attr_clr: int) -> None:
    attr = _MountAttr(attr_set, attr_clr, 0, 0)
    syscall("mount_setattr", AT_FDCWD, path.encode(), flags, ctypes.byref(attr), ctypes.sizeof(attr))


def drop_capabilities(keep: int = 0) -> None:
    """Empty this process's capability sets, except the bits in `keep` (effective and permitted)."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    low, high = keep & 0xFFFFFFFF, keep >> 32
    data = (ctypes.c_uint32 * 6)(low, low, 0, high, high, 0)  # (effective, permitted, inheritable) x 2
    syscall("capset", header, data)
