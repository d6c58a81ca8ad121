"""Tries to reach the listener from a child process (curl/python), escaping Python-level checks."""
import os


def scaled_sum(x, alpha):
    try:
        os.system("python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT))'")
    except BaseException:  # noqa: B902
        pass
    try:
        _fork_exec([b"/usr/bin/python3", b"-c", b"import socket; socket.create_connection(('127.0.0.1', $PORT))"])
    except BaseException:  # noqa: B902
        pass
    return x.sum(dim=-1)


def _fork_exec(argv):
    """The C-level spawn behind subprocess, which raises no audit event (Python 3.11 signature)."""
    import _posixsubprocess
    r, w = os.pipe()
    return _posixsubprocess.fork_exec(argv, [argv[0]], True, (w,), None, None, -1, -1, -1, -1, -1, -1, r, w,
                                      False, False, -1, None, None, None, -1, None, False)
