"""`python -m tests.cli.weaken [--no-landlock] CMD…`: run CMD where namespaces are refused (as Docker's
default seccomp profile does) and, with --no-landlock, where the kernel has no Landlock either."""

from __future__ import annotations

import ctypes
import errno
import os
import sys

from dlcheck.sandbox import seccomp as bpf
from dlcheck.sandbox import syscalls as sc


def refusing_filter(no_landlock: bool) -> bytes:
    p = bpf._Program()
    p.load(bpf.OFFSET_NR)
    p.emit(bpf.JEQ, sc.NUMBERS["unshare"], jt="deny")
    p.emit(bpf.JEQ, sc.NUMBERS["setns"], jt="deny")
    p.emit(bpf.JEQ, sc.NUMBERS["clone3"], jt="enosys")
    if no_landlock:
        p.emit(bpf.JEQ, sc.LANDLOCK_CREATE_RULESET, jt="enosys")
    p.emit(bpf.JEQ, sc.NUMBERS["clone"], jt="clone", jf="allow")
    p.label("clone")
    p.load(bpf._arg_low(0))
    p.emit(bpf.JSET, sc.NAMESPACE_FLAGS, jt="deny", jf="allow")
    p.label("allow")
    p.ret(bpf.RET_ALLOW)
    p.label("deny")
    p.ret(bpf.RET_ERRNO | errno.EPERM)
    p.label("enosys")
    p.ret(bpf.RET_ERRNO | errno.ENOSYS)
    return p.assemble()


def main(argv: list[str]) -> None:
    no_landlock = argv[:1] == ["--no-landlock"]
    command = argv[1:] if no_landlock else argv
    code = refusing_filter(no_landlock)
    buffer = ctypes.create_string_buffer(code, len(code))
    program = bpf._SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    sc.check(sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    sc.check(sc.prctl(sc.PR_SET_SECCOMP, sc.SECCOMP_MODE_FILTER, ctypes.addressof(program)), "seccomp")
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
