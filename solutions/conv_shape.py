"""Reference: output length of a 1-D convolution or pooling layer (PyTorch semantics, floor).

Pure arithmetic, because the exercise forbids probing conv1d and validation grades this file as a
submission. tests/exercises/test_conv_shape.py checks every graded case against the length
torch.nn.functional.conv1d produces on a real tensor.
"""

import random

from dlcheck.errors import InvalidCase


def conv_output_size(l_in, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1  # receptive field of one output: the dilated kernel
    l_out = (l_in + 2 * padding - span) // stride + 1
    if l_out < 1:
        raise InvalidCase(f"the kernel does not fit: output length {l_out}")
    return int(l_out)


# ---------------------------------------------------------------- cases (reference process only)
# A generator rather than the spec's DSL: DSL cases always pass every argument, and the defaults of
# the signature (stride=1, padding=0, dilation=1) are part of what the statement asks for.

ARG_NAMES = ("l_in", "kernel_size", "stride", "padding", "dilation")
EDGE_CASES = [
    ("plain: l_in=10, kernel_size=3", (10, 3, 1, 0, 1)),
    ("stride 3 with remainder 1: l_in=10, kernel_size=3, stride=3", (10, 3, 3, 0, 1)),
    ("stride 3 with remainder 2: l_in=11, kernel_size=3, stride=3", (11, 3, 3, 0, 1)),
    ("'same' padding: l_in=7, kernel_size=5, padding=2", (7, 5, 1, 2, 1)),
    ("dilation 2: l_in=10, kernel_size=3, dilation=2", (10, 3, 1, 0, 2)),
    ("kernel as long as the input: l_in=5, kernel_size=5", (5, 5, 1, 0, 1)),
    ("everything at once: l_in=34, kernel_size=5, stride=3, padding=2, dilation=2", (34, 5, 3, 2, 2)),
    ("called as conv_output_size(10, 3): stride=1, padding=0, dilation=1 are the defaults", (10, 3)),
    ("called as conv_output_size(12, 3, 2, 1): dilation=1 is the default", (12, 3, 2, 1)),
]
RANGES = {"l_in": (1, 64), "kernel_size": (1, 7), "stride": (1, 4), "padding": (0, 3), "dilation": (1, 3)}


def make_cases(seed, random_cases=24):
    """The hand-made cases, then `random_cases` valid layers drawn from RANGES."""
    cases = [{"name": name, "args": dict(zip(ARG_NAMES, values))} for name, values in EDGE_CASES]
    rng = random.Random(seed)
    while len(cases) < len(EDGE_CASES) + random_cases:
        args = {name: rng.randint(low, high) for name, (low, high) in RANGES.items()}
        try:
            conv_output_size(*args.values())
        except InvalidCase:  # the kernel does not fit: draw again
            continue
        cases.append({"name": f"random #{len(cases) - len(EDGE_CASES) + 1}", "args": args})
    return cases
