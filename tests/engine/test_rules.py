"""The static layer of exercise rules: forbidden APIs found in source, through aliases too."""

from __future__ import annotations

import ast

import pytest

from dlcheck.rules import scan_source

RULES = [{"id": "no_shortcut", "message": "m",
          "forbid": ["torch.nn.functional.conv2d", "torch.autograd.grad", "torch.Tensor.backward", "torch.func"]}]


@pytest.mark.parametrize("source, api", [
    ("import torch\ntorch.nn.functional.conv2d(x, w)", "torch.nn.functional.conv2d"),
    ("import torch.nn.functional as F\nF.conv2d(x, w)", "torch.nn.functional.conv2d"),
    ("from torch.nn import functional as F\nF.conv2d(x, w)", "torch.nn.functional.conv2d"),
    ("from torch.nn.functional import conv2d as c\nc(x, w)", "torch.nn.functional.conv2d"),
    ("import torch.autograd as ag\nag.grad(y, x)", "torch.autograd.grad"),
    ("from torch import autograd\nautograd.grad(y, x)", "torch.autograd.grad"),
    ("import torch\ntorch.Tensor.backward(loss)", "torch.Tensor.backward"),
    ("from torch import Tensor\nTensor.backward(loss)", "torch.Tensor.backward"),
    ("from torch.func import grad", "torch.func"),
])
def test_forbidden_uses_are_found(source, api):
    [violation] = scan_source(ast.parse(source), RULES)[:1]
    assert violation.api == api and violation.rule == "no_shortcut"


@pytest.mark.parametrize("source", [
    "import torch\ntorch.nn.functional.relu(x)",
    "import torch.nn.functional as F\nF.conv1d(x, w)",
    "grad = compute_grad(x)\nfunc = 3",
    # A method's name alone says nothing of its object: the cs231n layer style (issue 8). A tensor's
    # backward() is refused at run time (tests/engine/test_rule_method_names.py).
    "import torch\nclass Linear:\n    def backward(self, g):\n        return g\nLinear().backward(1)",
    "loss.backward()",
])
def test_allowed_uses_are_not_flagged(source):
    assert scan_source(ast.parse(source), RULES) == []


# --------------------------------------------------------------------------- names the source spells out

CONV = [{"id": "no_conv", "message": "m", "forbid": ["torch.nn.functional.conv2d", "torch.Tensor.unfold"]}]
AUTOGRAD = [{"id": "no_autograd", "message": "m", "forbid": ["torch.autograd.grad", "torch.Tensor.backward"]}]


def first(source: str, rules=CONV):
    found = scan_source(ast.parse(source), rules)
    return found[0] if found else None


@pytest.mark.parametrize("source", [
    'import torch.nn.functional as F\ngetattr(F, "con" + "v2d")(x, w)',
    'import torch\ngetattr(torch.nn.functional, f"conv{2}d")',  # not constant: refused as computed instead
    'import torch.nn.functional as F\ngetattr(F, "".join(["con", "v2d"]))(x, w)',
    'import torch\nG = torch.nn.functional\nG.conv2d(x, w)',
    'import torch\nG = torch.nn\nH = G.functional\nH.conv2d(x, w)',
    'import importlib\nF = importlib.import_module("torch.nn." + "functional")\nF.conv2d(x, w)',
    'import torch\nwindows = getattr(torch.Tensor, "un" + "fold")(x, 0, 2, 1)',
])
def test_names_built_from_constants_or_aliases_are_resolved(source):
    violation = first(source)
    assert violation is not None and violation.rule == "no_conv"


@pytest.mark.parametrize("source, what", [
    ("import torch\nname = input()\ngetattr(torch, name)", "getattr with a computed name"),
    ("import torch\nf = getattr\nf(torch, 'x')", "getattr passed around as a value"),
    ("import torch\neval('torch.conv2d')", "eval"),
    ("import torch\nexec('1')", "exec"),
    ("import torch\n__import__('torch')", "__import__"),
    ("vars()['x']", "vars"),
    ("__builtins__['getattr']", "__builtins__"),
    ("import torch\ntorch.nn.functional.__dict__['conv2d']", "__dict__"),
    ("().__class__.__base__.__subclasses__()", "__subclasses__"),
    ("import importlib", "importlib"),
    ("import sys\nsys.modules['torch']", "sys.modules"),
    ("import gc\ngc.get_objects()", "gc"),
    ("import ctypes", "ctypes"),
    ("import pickle", "pickle"),
    ("import pydoc\npydoc.locate('torch.conv2d')", "pydoc"),
    ("import operator\noperator.attrgetter('conv2d')", "operator.attrgetter"),
    ("import torch\ntorch._C._nn.thnn_conv2d(x, w, [3, 3])", "torch._C"),
    ("import torch\ntorch.autograd.Variable._execution_engine", "torch.autograd.Variable._execution_engine"),
    ("from torch._C import _nn", "torch._C"),
    ("import torch.utils._python_dispatch as pd", "torch.utils._python_dispatch"),
    ("import torch\ntorch.ops.aten.convolution(x, w)", "torch.ops"),
    ("import torch\ntorch.library.Library('aten', 'IMPL')", "torch.library"),
    ("import torch\ntorch.compile(f)", "torch.compile"),
    ("import torch\ntorch.jit.script(f)", "torch.jit"),
    ("import dlcheck.rules", "dlcheck"),
    ("def f():\n    raise ValueError\ntry:\n    f()\nexcept ValueError as e:\n    e.__traceback__.tb_frame", "tb_frame"),
])
def test_code_whose_names_cannot_be_read_breaks_an_exercise_rule(source, what):
    violation = first(source)
    assert violation is not None and violation.rule == "no_conv"
    assert what in violation.api and "cannot check" in violation.api


@pytest.mark.parametrize("source", [
    "import torch\ndef f(x):\n    return x.as_strided((2, 2), (1, 1))",
    "class Net:\n    def __init__(self):\n        self._cache = {}\n    def get(self):\n        return self._cache",
    "import torch\nclass M(torch.nn.Module):\n    def __init__(self):\n        super().__init__()",
    "vars = [1, 2]\nfor v in vars:\n    print(v)",
    "def f(vars):\n    return vars",
    "def compile(parts):\n    return parts\ncompile([1])",
    "import torch\nx = getattr(torch, 'float64')",
    "from dlcheck.errors import InvalidCase\nraise InvalidCase('no')",
    "import math\nimport sys\nprint(sys.float_info.epsilon, math.pi)",
    "import torch\ny = x._version",
])
def test_ordinary_code_in_an_exercise_with_rules_is_not_flagged(source):
    assert scan_source(ast.parse(source), CONV) == []


def test_code_in_an_exercise_without_rules_is_not_scanned():
    assert scan_source(ast.parse("import ctypes\neval('1')"), []) == []


@pytest.mark.parametrize("source, api", [
    ("import torch.autograd.forward_ad as fwAD", "torch.autograd"),
    ("import functorch", "functorch"),
    ("import torch\nnode = torch.Tensor.grad_fn", "torch.Tensor.grad_fn"),
    ("from torch import func", "torch.func"),
])
def test_an_autograd_rule_refuses_every_public_way_to_differentiate(source, api):
    violation = first(source, AUTOGRAD)
    assert violation.rule == "no_autograd" and violation.api == api
    assert first(source) is None  # the conv rule does not care


def test_autograd_allowed_keeps_the_listed_names_only():
    allowed = [{**AUTOGRAD[0], "autograd": "allowed"}]
    assert first("import functorch", allowed) is None
    assert first("import torch\ntorch.Tensor.backward(y)", allowed).api == "torch.Tensor.backward"


def test_the_submissions_own_variables_are_not_mistaken_for_modules():
    source = "def f(code, types, string):\n    return code.upper(), types.count(1), string.Formatter, gc.x"
    assert scan_source(ast.parse(source), CONV) == []


# --------------------------------------------------------------------------- what the scan saw

@pytest.mark.parametrize("source, how, api", [
    ("from torch.autograd import grad", "imports", "torch.autograd.grad"),
    ("import torch.autograd as ag", "imports", "torch.autograd"),
    ("from torch.autograd import grad\ngrad(y, x)", "calls", "torch.autograd.grad"),
    ("from torch.autograd import grad as g\nz = 1\ng(y, x)", "calls", "torch.autograd.grad"),
    ("import torch\ntorch.autograd.grad(y, x)", "calls", "torch.autograd.grad"),
    ("import torch\ntorch.Tensor.backward(loss)", "calls", "torch.Tensor.backward"),
    ("import torch\nf = torch.autograd.grad", "refers to", "torch.autograd.grad"),
])
def test_a_violation_says_whether_the_api_was_imported_called_or_referred_to(source, how, api):
    violation = first(source, AUTOGRAD)
    assert (violation.how, violation.api) == (how, api)


def test_a_call_is_reported_even_when_the_import_comes_first():
    violation = first("from torch.autograd import grad\n\ndef f(y, x):\n    return grad(y, x)", AUTOGRAD)
    assert violation.how == "calls" and violation.line == 4


@pytest.mark.parametrize("source, words", [
    ("from torch.autograd import grad\n\ndef square_grad(x):\n    return 2 * x\n",
     "square_grad.py (line 1) imports torch.autograd.grad."),
    ("import torch\n\ndef square_grad(x):\n    x = x.clone().requires_grad_()\n    torch.Tensor.backward((x ** 2).sum())\n"
     "    return x.grad\n", "square_grad.py (line 5) calls torch.Tensor.backward."),
])
def test_the_rule_message_says_what_the_scan_saw(grade_fixture, source, words):
    result = grade_fixture("square_grad", source)
    assert result.status == "fail"
    assert f"Rule 'no_autograd' broken: {words}" in result.message


def test_a_backward_call_the_scan_cannot_attribute_is_refused_at_run_time(grade_fixture):
    source = "def square_grad(x):\n    x = x.clone().requires_grad_()\n    (x ** 2).sum().backward()\n    return x.grad\n"
    result = grade_fixture("square_grad", source)
    assert result.status == "fail"
    assert result.message.startswith("Rule 'no_autograd' broken: your code called autograd (an operator on a tensor")
