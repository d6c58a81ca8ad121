"""Lifts Python's recursion limit, then recurses through C code (repr of a deeply nested list),
which overflows the C stack."""
import sys

sys.setrecursionlimit(10**8)


def scaled_sum(x, alpha):
    nested = []
    for _ in range(300_000):
        nested = [nested]
    return repr(nested)
