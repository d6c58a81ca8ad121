"""Standard containers of the right kind, through the real engine on real catalog exercises.

A namedtuple or a `torch.return_types` structseq where a tuple is asked, an OrderedDict or a
defaultdict where a dict is asked, is the same answer in another style and must pass. The worker
reads such a subclass through its base type's own methods (tuple.__iter__, dict.items …), so what
the grader receives is the data the object really stores: a subclass that overrides its accessors
to show the expected answer, or that never ends, gains nothing.
"""

from __future__ import annotations

import time

import pytest

MADE_MASKS = '''
import torch
{prelude}

def made_masks(input_degrees, hidden_degrees):
    mask_w = (hidden_degrees[:, None] >= input_degrees[None, :]).to(torch.float64)
    mask_v = (input_degrees[:, None] > hidden_degrees[None, :]).to(torch.float64)
    return {result}
'''

ADAM = '''
import collections
import enum
import torch
{prelude}

def adam(params, grads, lr, beta1, beta2, eps):
    theta, m, v = params.clone(), torch.zeros_like(params), torch.zeros_like(params)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * (m / (1 - beta1 ** t)) / (torch.sqrt(v / (1 - beta2 ** t)) + eps)
    return {result}
'''

CLIP = '''
import collections
import torch

Clipped = collections.namedtuple("Clipped", "grads norm")


def clip_grad_norm(grads, max_norm):
    total = torch.sqrt(sum((g * g).sum() for g in grads.values())).item()
    scale = min(1.0, max_norm / (total + 1e-6))
    return Clipped(collections.OrderedDict((name, g * scale) for name, g in grads.items()), total)
'''

LSTM = '''
import torch


def lstm_cell(x, h, c, W_ih, W_hh, b):
    i, f, g, o = (W_ih @ x + W_hh @ h + b).chunk(4)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_new = torch.sigmoid(o) * torch.tanh(c_new)
    return {result}
'''


def made_masks(result: str, prelude: str = "") -> str:
    return MADE_MASKS.format(prelude=prelude, result=result)


def adam(result: str, prelude: str = "") -> str:
    return ADAM.format(prelude=prelude, result=result)


# ---------------------------------------------------------------- the right kind of container passes

@pytest.mark.parametrize("exercise, source", [
    ("made_masks", made_masks("Masks(mask_w, mask_v)",
                              'import collections\nMasks = collections.namedtuple("Masks", "M_W M_V")')),
    ("made_masks", made_masks("Masks(mask_w, mask_v)",
                              "import typing\nclass Masks(typing.NamedTuple):\n"
                              "    M_W: torch.Tensor\n    M_V: torch.Tensor")),
    ("lstm_cell_forward", LSTM.format(result="torch.return_types.max((h_new, c_new))")),  # a structseq
    ("made_masks", made_masks("Pair([mask_w, mask_v])", "class Pair(list):\n    pass")),
    ("adam_step", adam('collections.OrderedDict([("params", theta), ("m", m), ("v", v)])')),
    ("adam_step", adam("filled(collections.defaultdict(list), v=v, m=m, params=theta)",
                       "def filled(out, **values):\n    out.update(values)\n    return out")),
    ("adam_step", adam("{Key.params: theta, Key.m: m, Key.v: v}",
                       'class Key(str, enum.Enum):\n    params = "params"\n    m = "m"\n    v = "v"')),
    ("grad_clip_global_norm", CLIP),
], ids=["namedtuple", "typing.NamedTuple", "torch.return_types", "list subclass", "OrderedDict", "defaultdict",
        "str-enum keys", "namedtuple of OrderedDict and float"])
def test_standard_containers_of_the_right_kind_pass(grade_text, exercise, source):
    result = grade_text(exercise, source)
    assert result.status == "pass", result.message
    assert result.score == result.max_score


# ---------------------------------------------------------------- what is graded is what is stored

LYING_TUPLE = '''
class Masks(tuple):
    """Stores zeros, but every accessor answers with the right masks."""
    def __new__(cls, right):
        self = super().__new__(cls, tuple(torch.zeros_like(m) for m in right))
        self.right = right
        return self
    def __iter__(self):
        return iter(self.right)
    def __getitem__(self, i):
        return self.right[i]
    def __len__(self):
        return 2
    def __eq__(self, other):
        return True
    __hash__ = tuple.__hash__
'''

LYING_DICT = '''
class Answer(dict):
    """Stores {stored}, but every accessor answers with the right values."""
    def __init__(self, right):
        super().__init__({stored})
        self.right = right
    def keys(self): return self.right.keys()
    def values(self): return self.right.values()
    def items(self): return self.right.items()
    def __iter__(self): return iter(self.right)
    def __len__(self): return len(self.right)
    def __getitem__(self, key): return self.right[key]
    def __contains__(self, key): return key in self.right
    def get(self, key, default=None): return self.right.get(key, default)
    def __eq__(self, other): return True
    __hash__ = None
'''


@pytest.mark.parametrize("exercise, source, fragment", [
    ("made_masks", made_masks("Masks((mask_w, mask_v))", LYING_TUPLE), "elements differ"),
    ("adam_step", adam('Answer({"params": theta, "m": m, "v": v})',
                       LYING_DICT.format(stored='{k: v * 0 for k, v in right.items()}')), "elements differ"),
    ("adam_step", adam('Answer({"params": theta, "m": m, "v": v})', LYING_DICT.format(stored="{}")),
     "missing key(s)"),
], ids=["tuple storing zeros", "dict storing zeros", "dict storing nothing"])
def test_a_subclass_whose_accessors_lie_is_graded_on_what_it_stores(grade_text, exercise, source, fragment):
    result = grade_text(exercise, source)
    assert result.status == "fail"
    assert fragment in result.message


def test_a_str_subclass_key_cannot_shadow_a_plain_key(grade_text):
    """Two keys that read as the same string ("m" with the wrong value, a str subclass "m" with the
    right one) are not a dict the grader could look up honestly: refused, whichever comes last."""
    prelude = ('class Shadow(str):\n    def __hash__(self): return 7\n'
               '    def __eq__(self, other): return self is other')
    source = adam('{"params": theta, "m": m * 0, Shadow("m"): m, "v": v}', prelude)
    result = grade_text("adam_step", source)
    assert result.status == "fail"
    assert "same string" in result.message


@pytest.mark.parametrize("result, fragment", [
    ("Masks(mask_w.as_subclass(Sub), mask_v)", "[0]: expected a torch.Tensor of shape [4, 3], got submission.Sub"),
    ("(mask_w, Liar())", "[1]: expected a torch.Tensor of shape [3, 4], got submission.Liar"),
], ids=["tensor subclass", "custom __eq__"])
def test_tensor_subclasses_and_custom_comparison_inside_a_container_are_still_refused(grade_text, result, fragment):
    prelude = ('import collections\nMasks = collections.namedtuple("Masks", "M_W M_V")\n'
               "class Sub(torch.Tensor):\n    pass\n"
               "class Liar:\n    def __eq__(self, other):\n        return True")
    graded = grade_text("made_masks", made_masks(result, prelude))
    assert graded.status == "fail", graded.message
    assert fragment in graded.message


# ---------------------------------------------------------------- hostile shapes end quickly, as a fail

@pytest.mark.parametrize("prelude, result, fragment", [
    ("class Loop(list):\n    pass", "selfish(mask_w)", "[1]: expected a torch.Tensor of shape"),
    ("class Loop(list):\n    pass", "doubled()", "more than 262,144 values"),
    ("", "doubled(list)", "more than 262,144 values"),
    ("class Big(tuple):\n    pass", "Big((0,) * 3_000_000)", "more than 262,144 values"),
], ids=["list subclass holding itself", "list subclass of 2**60 paths", "list of 2**60 paths", "huge tuple subclass"])
def test_self_containing_shared_and_huge_containers_fail_quickly(grade_text, prelude, result, fragment):
    helpers = (f"{prelude}\n"
               "def selfish(first):\n    loop = Loop([first])\n    loop.append(loop)\n    return loop\n"
               "def doubled(kind=None):\n    kind = kind or Loop\n    value = kind()\n"
               "    for _ in range(60):\n        value = kind([value, value])  # 2**60 paths, 120 objects\n"
               "    return value\n")
    start = time.monotonic()
    graded = grade_text("made_masks", made_masks(result, helpers))
    assert graded.status == "fail", graded.message
    assert fragment in graded.message
    assert time.monotonic() - start < 60  # 20 cases; the worst stops after 262,144 values
