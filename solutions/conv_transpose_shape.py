"""Reference: output length of a 1-D transposed convolution (PyTorch semantics).

Pure arithmetic, because the exercise forbids probing conv_transpose1d and validation grades this
file as a submission. tests/exercises/test_conv_transpose_shape.py checks every graded case
against the length torch.nn.functional.conv_transpose1d produces on a real tensor.
"""

import contextlib
import itertools
import random

from dlcheck.errors import InvalidCase


def conv_transpose_output_size(l_in, kernel_size, stride=1, padding=0, dilation=1, output_padding=0):
    if output_padding >= max(stride, dilation):
        # PyTorch: output_padding must be smaller than either stride or dilation.
        raise InvalidCase(f"output_padding {output_padding} >= max(stride, dilation)")
    # Each of the l_in inputs is placed `stride` apart and spreads a dilated kernel of span
    # dilation*(kernel_size-1)+1; `padding` is then cropped from each side, output_padding added on one.
    l_out = (l_in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if l_out < 1:
        raise InvalidCase(f"the padding crops everything: output length {l_out}")
    return int(l_out)


# ---------------------------------------------------------------- cases (reference process only)
# A generator rather than the spec's DSL: DSL cases always pass every argument, and the defaults of
# the signature (stride=1, padding=0, dilation=1, output_padding=0) are part of what is asked.

ARG_NAMES = ("l_in", "kernel_size", "stride", "padding", "dilation", "output_padding")
EDGE_CASES = [
    ("stride 1: l_in=4, kernel_size=3", (4, 3, 1, 0, 1, 0)),
    ("one input sample: l_in=1, kernel_size=3", (1, 3, 1, 0, 1, 0)),
    ("DCGAN doubling: l_in=4, kernel_size=4, stride=2, padding=1", (4, 4, 2, 1, 1, 0)),
    ("output_padding: l_in=4, kernel_size=3, stride=2, padding=1, output_padding=1", (4, 3, 2, 1, 1, 1)),
    ("dilation 2: l_in=5, kernel_size=3, dilation=2", (5, 3, 1, 0, 2, 0)),
    ("the output has at least one element: l_in=3, kernel_size=3, padding=2 crops all but one sample",
     (3, 3, 1, 2, 1, 0)),
    ("everything at once: l_in=6, kernel_size=5, stride=3, padding=2, dilation=2, output_padding=1",
     (6, 5, 3, 2, 2, 1)),
    ("called as conv_transpose_output_size(4, 3): stride=1, padding=0, dilation=1, output_padding=0 "
     "are the defaults", (4, 3)),
    ("called as conv_transpose_output_size(5, 4, 2, 1, 2): output_padding=0 is the default", (5, 4, 2, 1, 2)),
]
RANGES = {"l_in": (1, 20), "kernel_size": (1, 6), "stride": (1, 4), "padding": (0, 3), "dilation": (1, 3),
          "output_padding": (0, 2)}


def make_cases(seed, random_cases=24):
    """The hand-made cases, then the first `random_cases` valid layers of a seeded stream."""
    edges = [{"name": name, "args": dict(zip(ARG_NAMES, values))} for name, values in EDGE_CASES]
    layers = itertools.islice(_valid_layers(random.Random(seed)), random_cases)
    return edges + [{"name": f"random #{n}", "args": args} for n, args in enumerate(layers, start=1)]


def _valid_layers(rng):
    """Endless argument dicts drawn from RANGES, keeping the layers PyTorch accepts."""
    while True:
        args = {name: rng.randint(low, high) for name, (low, high) in RANGES.items()}
        with contextlib.suppress(InvalidCase):
            conv_transpose_output_size(*args.values())
            yield args
