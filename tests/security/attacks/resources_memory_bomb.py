"""Asks for far more memory than the machine has, in big and in small pieces."""
import torch


def scaled_sum(x, alpha):
    hog = [torch.empty(64 * 1024**3, dtype=torch.uint8)]  # 64 GiB at once
    while True:
        hog.append(bytearray(256 * 1024**2))  # then 256 MiB at a time
