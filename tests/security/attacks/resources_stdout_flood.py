"""Writes gigabytes to stdout."""
import os


def scaled_sum(x, alpha):
    block = b"x" * (1 << 20)
    for _ in range(4096):  # 4 GiB
        os.write(1, block)
    return alpha * x.sum(dim=-1)
