"""A small seccomp filter that makes this machine look like a more restricted one.

The configurations in configurations.py need a kernel that refuses namespaces (Docker's default
seccomp profile; Ubuntu's AppArmor restriction on unprivileged user namespaces) or has no Landlock
(an older kernel). We cannot change the machine, so the launcher installs this filter just before
it execs dlcheck; every process dlcheck starts inherits it. It is a classic BPF program, built
here by hand (no libseccomp binding needed), installed with prctl(PR_SET_SECCOMP) after
no_new_privs.

What it refuses, and how (the errno a real restricted machine gives):
- refuse_namespaces: unshare, setns -> EPERM; clone with any CLONE_NEW* flag -> EPERM; clone3 ->
  ENOSYS (seccomp cannot read clone3's flags, which live in memory; glibc then falls back to clone,
  whose flags we can check: this is exactly what Docker does); the mount family (mount, umount2,
  pivot_root, open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr) -> EPERM, as
  without CAP_SYS_ADMIN in Docker.
- refuse_landlock: landlock_create_ruleset, landlock_add_rule, landlock_restrict_self -> ENOSYS,
  which is what a kernel older than 5.13 answers.
- always: system calls of a foreign ABI (i386 through int 0x80, x32) -> ENOSYS, so none of the
  rules above can be sidestepped by using another syscall table.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct

# BPF instruction classes and fields (linux/filter.h, linux/bpf_common.h).
BPF_LD_W_ABS = 0x00 | 0x00 | 0x20  # BPF_LD | BPF_W | BPF_ABS
BPF_JMP_JEQ_K = 0x05 | 0x10 | 0x00
BPF_JMP_JGE_K = 0x05 | 0x30 | 0x00
BPF_JMP_JSET_K = 0x05 | 0x40 | 0x00
BPF_RET_K = 0x06 | 0x00

SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2

# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0_LOW = 0, 4, 16  # little-endian: the low word of args[0] comes first
X32_SYSCALL_BIT = 0x40000000

CLONE_NEW_FLAGS = (0x00020000 | 0x02000000 | 0x04000000 | 0x08000000  # NEWNS, NEWCGROUP, NEWUTS, NEWIPC
                   | 0x10000000 | 0x20000000 | 0x40000000)  # NEWUSER, NEWPID, NEWNET

# Syscall numbers per architecture; from 424 on both tables agree.
_COMMON = {"clone3": 435, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
           "fspick": 433, "mount_setattr": 442, "landlock_create_ruleset": 444, "landlock_add_rule": 445,
           "landlock_restrict_self": 446}
ARCHES = {
    "x86_64": (0xC000003E, {**_COMMON, "clone": 56, "unshare": 272, "setns": 308, "mount": 165, "umount2": 166,
                            "pivot_root": 155}),
    "aarch64": (0xC00000B7, {**_COMMON, "clone": 220, "unshare": 97, "setns": 268, "mount": 40, "umount2": 39,
                             "pivot_root": 41}),
}
MOUNT_FAMILY = ("mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
                "fspick", "mount_setattr")
LANDLOCK = ("landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self")


class _Assembler:
    """BPF with symbolic jump targets: jumps name a label, resolved to relative offsets at the end."""

    def __init__(self) -> None:
        self.code: list[tuple[int, object, object, int]] = []
        self.labels: dict[str, int] = {}

    def load(self, offset: int) -> None:
        self.code.append((BPF_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, value: int, if_true: str | int, if_false: str | int = 0) -> None:
        self.code.append((op, if_true, if_false, value))

    def ret(self, value: int) -> None:
        self.code.append((BPF_RET_K, 0, 0, value))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def program(self) -> bytes:
        out = b""
        for index, (op, jt, jf, k) in enumerate(self.code):
            offsets = []
            for target in (jt, jf):
                offset = target if isinstance(target, int) else self.labels[target] - index - 1
                if not 0 <= offset <= 255:
                    raise ValueError(f"jump out of range at instruction {index}")
                offsets.append(offset)
            out += struct.pack("=HBBI", op, offsets[0], offsets[1], k)
        return out


def build_filter(refuse_namespaces: bool, refuse_landlock: bool, machine: str | None = None) -> bytes:
    machine = machine or os.uname().machine
    if machine not in ARCHES:
        raise OSError(errno.ENOSYS, f"no syscall table for {machine} in tests/security/seccomp.py")
    arch, numbers = ARCHES[machine]
    refused: dict[str, str] = {}  # syscall -> label of the answer
    if refuse_namespaces:
        refused.update({"unshare": "eperm", "setns": "eperm", "clone3": "enosys", "clone": "check_clone"})
        refused.update({name: "eperm" for name in MOUNT_FAMILY})
    if refuse_landlock:
        refused.update({name: "enosys" for name in LANDLOCK})

    asm = _Assembler()
    asm.load(OFFSET_ARCH)
    asm.jump(BPF_JMP_JEQ_K, arch, 1, 0)
    asm.ret(SECCOMP_RET_ERRNO | errno.ENOSYS)  # a foreign ABI (i386 via int 0x80)
    asm.load(OFFSET_NR)
    if machine == "x86_64":
        asm.jump(BPF_JMP_JGE_K, X32_SYSCALL_BIT, "enosys")  # the x32 ABI
    for name, answer in refused.items():
        asm.jump(BPF_JMP_JEQ_K, numbers[name], answer)
    asm.ret(SECCOMP_RET_ALLOW)
    asm.label("check_clone")
    asm.load(OFFSET_ARG0_LOW)
    asm.jump(BPF_JMP_JSET_K, CLONE_NEW_FLAGS, "eperm")
    asm.ret(SECCOMP_RET_ALLOW)
    asm.label("eperm")
    asm.ret(SECCOMP_RET_ERRNO | errno.EPERM)
    asm.label("enosys")
    asm.ret(SECCOMP_RET_ERRNO | errno.ENOSYS)
    return asm.program()


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(refuse_namespaces: bool, refuse_landlock: bool) -> None:
    """Install the filter on this process (and so on everything it execs or forks afterwards)."""
    program = build_filter(refuse_namespaces, refuse_landlock)
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    ulong = ctypes.c_ulong  # prctl is variadic: pass full-width arguments
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog), ulong(0), ulong(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")
