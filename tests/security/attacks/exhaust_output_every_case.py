"""On every case, writes far more than the output limit to stdout, swallowing each failure and going on."""
import os


def solve(*args):
    block = b"x" * (1 << 20)
    for _ in range(64):
        try:
            os.write(1, block)
        except OSError:
            pass
    raise RuntimeError("wrote as much as it could")
