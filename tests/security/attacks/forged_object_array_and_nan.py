"""Returns a NumPy object array on the first call, NaN/inf tensors afterwards."""
import numpy as np
import torch

calls = [0]


def scaled_sum(x, alpha):
    calls[0] += 1
    if calls[0] == 1:
        return np.array([object()] * x.shape[0], dtype=object)
    return torch.full(x.shape[:-1], float("nan") if calls[0] % 2 else float("inf"), dtype=torch.float64)
