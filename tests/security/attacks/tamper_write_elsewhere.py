"""Tries to leave files behind in /tmp, /dev/shm and the home directory, and to rename the workspace."""
import os
from pathlib import Path


def scaled_sum(x, alpha):
    for place in ("/tmp/dlcheck-escape.txt", "/dev/shm/dlcheck-escape.txt", os.path.expanduser("~/dlcheck-escape.txt")):
        try:
            Path(place).write_text("escaped")
        except BaseException:  # noqa: B902
            pass
    try:
        os.rename("$WORKSPACE", "$WORKSPACE-moved")
    except BaseException:  # noqa: B902
        pass
    return alpha * x.sum(dim=-1) + 1  # wrong on purpose
