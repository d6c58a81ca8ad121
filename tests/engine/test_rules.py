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
    ("loss.backward()", "torch.Tensor.backward"),
    ("from torch.func import grad", "torch.func"),
])
def test_forbidden_uses_are_found(source, api):
    [violation] = scan_source(ast.parse(source), RULES)[:1]
    assert violation.api == api and violation.rule == "no_shortcut"


@pytest.mark.parametrize("source", [
    "import torch\ntorch.nn.functional.relu(x)",
    "import torch.nn.functional as F\nF.conv1d(x, w)",
    "grad = compute_grad(x)\nfunc = 3",
])
def test_allowed_uses_are_not_flagged(source):
    assert scan_source(ast.parse(source), RULES) == []
