"""A seccomp filter for the student worker: the system calls audit hooks cannot see, refused in the kernel.

Python's audit hooks only see what Python code does; torch's C++ (sockets, torch.save, from_file),
io_uring or a pidfd reach the kernel without an event. This filter is a small classic-BPF program
installed with prctl(PR_SET_SECCOMP) after no_new_privs, so it needs no privilege and no library.
It refuses (EPERM, so Python raises a clear PermissionError):

- networking: socket, socketpair, connect, bind, listen, accept (the job's own channel is an
  already-connected socket and keeps working);
- reaching other processes: ptrace, process_vm_*, kcmp, pidfd_*, and any kill/tgkill/sigqueue aimed
  at a process other than the worker itself (or its own process group);
- changing the sandbox: unshare, setns, clone with namespace flags, mount and the new mount API,
  pivot_root, chroot; clone3 answers ENOSYS so the C library falls back to clone, whose flags a
  filter can read;
- kernel attack surface a submission never needs: io_uring, bpf, perf_event_open, userfaultfd,
  keyrings, modules, kexec, open_by_handle_at, TIOCSTI and more;
- with `no_writes` (where neither a read-only mount namespace nor Landlock confines writes):
  every call that creates, changes or removes a file by path, and open/openat for writing.
"""

from __future__ import annotations

import ctypes
import errno as errnos
import os
from dataclasses import dataclass, field

from . import syscalls as sc

RET_ALLOW, RET_KILL_PROCESS, RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
LD_W_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
OFFSET_NR, OFFSET_ARCH = 0, 4
X32_SYSCALL_BIT = 0x40000000
TIOCSTI, TIOCLINUX = 0x5412, 0x541C
OPEN_FOR_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND | 0o20000000  # O_TMPFILE

NETWORK = ("socket", "socketpair", "connect", "bind", "listen", "accept", "accept4")
OTHER_PROCESSES = ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "process_madvise",
                   "pidfd_open", "pidfd_send_signal", "pidfd_getfd")
SANDBOX_CHANGES = ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "mount_setattr", "move_mount",
                   "open_tree", "fsopen", "fsconfig", "fsmount", "fspick")
KERNEL_SURFACE = ("io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
                  "userfaultfd", "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load",
                  "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "syslog",
                  "acct", "quotactl", "name_to_handle_at", "open_by_handle_at", "iopl", "ioperm", "vhangup",
                  "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname")
FILE_CHANGES = ("creat", "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat",
                "unlink", "unlinkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "fchmodat2",
                "chown", "fchown", "lchown", "fchownat", "truncate", "utime", "utimes", "utimensat",
                "futimesat", "mknod", "mknodat", "setxattr", "lsetxattr", "fsetxattr", "removexattr",
                "lremovexattr", "fremovexattr", "openat2")
SIGNALS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # the target is args[0]


def available() -> bool:
    return sc.AUDIT_ARCH is not None and bool(sc.NUMBERS)


# ---------------------------------------------------------------- a tiny assembler with forward labels

@dataclass
class _Program:
    code: list = field(default_factory=list)  # [op, jt, jf, k]; jt/jf may be label names
    labels: dict = field(default_factory=dict)

    def emit(self, op: int, k: int = 0, jt: int | str = 0, jf: int | str = 0) -> None:
        self.code.append([op, jt, jf, k & 0xFFFFFFFF])

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def load(self, offset: int) -> None:
        self.emit(LD_W_ABS, offset)

    def ret(self, value: int) -> None:
        self.emit(RET, value)

    def assemble(self) -> bytes:
        out = bytearray()
        for index, (op, jt, jf, k) in enumerate(self.code):
            jt, jf = (self._offset(index, j) for j in (jt, jf))
            out += op.to_bytes(2, "little") + bytes([jt, jf]) + k.to_bytes(4, "little")
        return bytes(out)

    def _offset(self, index: int, target: int | str) -> int:
        if isinstance(target, int):
            return target
        distance = self.labels[target] - index - 1
        if not 0 <= distance <= 255:
            raise ValueError(f"seccomp jump to {target} out of range")
        return distance


def _arg_low(index: int) -> int:
    return 16 + 8 * index  # seccomp_data.args[index], low 32 bits on a little-endian machine


def build(own_pid: int, no_writes: bool) -> bytes:
    """The filter's BPF bytecode for a worker whose pid (as it sees itself) is `own_pid`."""
    p = _Program()
    p.load(OFFSET_ARCH)
    p.emit(JEQ, sc.AUDIT_ARCH, jt=1)
    p.ret(RET_KILL_PROCESS)  # another ABI (e.g. 32-bit calls) would have other numbers
    p.load(OFFSET_NR)
    if sc.MACHINE == "x86_64":
        p.emit(JGE, X32_SYSCALL_BIT, jt="deny", jf=0)
    refused = [*NETWORK, *OTHER_PROCESSES, *SANDBOX_CHANGES, *KERNEL_SURFACE] + (list(FILE_CHANGES) * no_writes)
    for name in refused:
        if name in sc.NUMBERS:
            p.emit(JEQ, sc.NUMBERS[name], jt="deny")
    p.emit(JEQ, sc.NUMBERS["clone3"], jt="enosys")
    p.emit(JEQ, sc.NUMBERS["clone"], jt="clone")
    p.emit(JEQ, sc.NUMBERS["ioctl"], jt="ioctl")
    for name in SIGNALS:
        p.emit(JEQ, sc.NUMBERS[name], jt="signal")
    if no_writes:
        if "open" in sc.NUMBERS:
            p.emit(JEQ, sc.NUMBERS["open"], jt="open")
        p.emit(JEQ, sc.NUMBERS["openat"], jt="openat")
    p.ret(RET_ALLOW)

    p.label("signal")  # allowed only at itself (its pid), its own group (0) or -its pid
    p.load(_arg_low(0))
    for target in (own_pid, 0, -own_pid):
        p.emit(JEQ, target, jt="allow")
    p.ret(RET_ERRNO | errnos.EPERM)
    p.label("clone")
    p.load(_arg_low(0))
    p.emit(JSET, sc.NAMESPACE_FLAGS, jt="deny", jf="allow")
    p.label("ioctl")
    p.load(_arg_low(1))
    p.emit(JEQ, TIOCSTI, jt="deny")
    p.emit(JEQ, TIOCLINUX, jt="deny", jf="allow")
    if no_writes:
        p.label("open")
        p.load(_arg_low(1))
        p.emit(JSET, OPEN_FOR_WRITING, jt="deny", jf="allow")
        p.label("openat")
        p.load(_arg_low(2))
        p.emit(JSET, OPEN_FOR_WRITING, jt="deny", jf="allow")
    p.label("allow")
    p.ret(RET_ALLOW)
    p.label("deny")
    p.ret(RET_ERRNO | errnos.EPERM)
    p.label("enosys")
    p.ret(RET_ERRNO | errnos.ENOSYS)
    return p.assemble()


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(no_writes: bool) -> None:
    """Install the filter on this process (no_new_privs must already be set). Irreversible."""
    code = build(os.getpid(), no_writes)
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    sc.check(sc.prctl(sc.PR_SET_SECCOMP, sc.SECCOMP_MODE_FILTER, ctypes.addressof(program)), "seccomp")
