"""Rewrites another exercise's reference through torch.from_file(shared=True): C++ opens and maps the file,
so no audit hook sees it. The other exercise, graded later in the same --all run, would then pass."""
import os

import torch

VICTIM = "$VICTIM"
FORGED = b"def solve(*args):\n    return $VALUE\n"


def solve(*args):
    try:
        size = max(os.stat(VICTIM).st_size, len(FORGED) + 1)
        mapped = torch.from_file(VICTIM, shared=True, size=size, dtype=torch.uint8)
        mapped.copy_(torch.frombuffer(bytearray(FORGED + b"#" * (size - len(FORGED))), dtype=torch.uint8))
        outcome = "REWROTE the reference"
    except BaseException as exc:  # noqa: B902
        outcome = f"{type(exc).__name__}: {str(exc)[:200]}"
    raise RuntimeError(outcome)
