"""Submissions written by an attacker who has read dlcheck's source, graded by the real grader.

Each one computes the right answer with the forbidden tool, reached by a route a blocklist of
names does not see. Each must end as a `fail` that names the broken rule (never a pass, never a
bare error), whichever layer catches it: the static scan, a name trap, the operator ban at
dispatch, or the autograd guard.
"""

from __future__ import annotations

import textwrap

import pytest

# --------------------------------------------------------------------------- convolution

# conv_as_matmul: K is the convolution applied to every basis image (one column per input pixel).
CONV_TEMPLATE = """
import torch
import torch.nn.functional as F
{setup}

def conv_matrix(kernel, in_h, in_w):
    basis = torch.eye(in_h * in_w, dtype=kernel.dtype).reshape(-1, 1, in_h, in_w)
    w = kernel[None, None]
    kh, kw = kernel.shape
    out = {conv}
    return out.flatten(1).T.contiguous()
"""

CONV_ROUTES = {
    "getattr with a computed name": ("", 'getattr(F, "con" + "v2d")(basis, w)'),
    "torch.ops.aten.convolution": ("", "torch.ops.aten.convolution(basis, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)"),
    "torch.convolution": ("", "torch.convolution(basis, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)"),
    "torch._convolution": ("", "torch._convolution(basis, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1, "
                               "False, False, True, True)"),
    "torch._C._nn.thnn_conv2d": ("", "torch._C._nn.thnn_conv2d(basis, w, [kh, kw])"),
    "the backend op _slow_conv2d_forward": ("", "torch.ops.aten._slow_conv2d_forward(basis, w, [kh, kw], None, [1, 1], [0, 0])"),
    "the backend op mkldnn_convolution": ("", "torch.mkldnn_convolution(basis.float(), w.float(), None, [0, 0], [1, 1], "
                                              "[1, 1], 1).double()"),
    "conv3d with a depth of one": ("", "F.conv3d(basis[:, :, None], w[:, :, None])[:, :, 0]"),
    "nn.LazyConv2d": ("", "conv_layer(basis, kernel)"),
    "the dlcheck worker's own traps undone by reloading": (
        "import importlib\nG = importlib.reload(F)", "G.conv2d(basis, w)"),
    "a fresh torch.nn.functional from sys.modules": (
        "import sys", 'sys.modules["torch"]._C._VariableFunctions.conv2d(basis, w)'),
    "__builtins__ lookups": (
        "", '(__builtins__["getattr"] if isinstance(__builtins__, dict) else __builtins__.getattr)'
            '(torch, "conv" + "olution")(basis, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)'),
}

LAZY_CONV = """
def conv_layer(basis, kernel):
    layer = torch.nn.LazyConv2d(1, tuple(kernel.shape), bias=False, dtype=kernel.dtype)
    layer(basis)  # materialises the weight
    with torch.no_grad():
        layer.weight.copy_(kernel[None, None])
        return layer(basis)
"""

# The rows of K are the transposed convolution of the output basis images: no forbidden name needed.
CONV_TRANSPOSE = """
import torch
import torch.nn.functional as F

def conv_matrix(kernel, in_h, in_w):
    kh, kw = kernel.shape
    out_h, out_w = in_h - kh + 1, in_w - kw + 1
    basis = torch.eye(out_h * out_w, dtype=kernel.dtype).reshape(-1, 1, out_h, out_w)
    return F.conv_transpose2d(basis, kernel[None, None]).flatten(1)
"""

# Tensor.unfold on an index grid gives every window's input pixels: K follows by scattering.
UNFOLD_BY_NAME = """
import torch

def conv_matrix(kernel, in_h, in_w):
    kh, kw = kernel.shape
    out_h, out_w = in_h - kh + 1, in_w - kw + 1
    grid = torch.arange(in_h * in_w).reshape(in_h, in_w)
    windows = getattr(getattr(grid, "un" + "fold")(0, kh, 1), "un" + "fold")(1, kw, 1)
    K = torch.zeros(out_h * out_w, in_h * in_w, dtype=kernel.dtype)
    K[torch.arange(out_h * out_w)[:, None], windows.reshape(out_h * out_w, -1)] = kernel.flatten()
    return K
"""

SCIPY_CORRELATE = """
import torch
from scipy.signal import correlate2d

def conv_matrix(kernel, in_h, in_w):
    columns = []
    for pixel in range(in_h * in_w):
        basis = torch.zeros(in_h * in_w, dtype=torch.float64)
        basis[pixel] = 1.0
        columns.append(torch.from_numpy(correlate2d(basis.reshape(in_h, in_w).numpy(), kernel.numpy(), mode="valid")).flatten())
    return torch.stack(columns, 1)
"""


def conv_attack(setup: str, conv: str) -> str:
    source = CONV_TEMPLATE.format(setup=setup, conv=conv)
    return source + (LAZY_CONV if "conv_layer" in conv else "")


@pytest.mark.parametrize("source", [
    *(pytest.param(conv_attack(*route), id=name) for name, route in CONV_ROUTES.items()),
    pytest.param(CONV_TRANSPOSE, id="conv_transpose2d of the output basis"),
    pytest.param(UNFOLD_BY_NAME, id="Tensor.unfold through getattr"),
    pytest.param(SCIPY_CORRELATE, id="scipy.signal.correlate2d"),
])
def test_convolution_by_any_route_breaks_the_conv_rule(grade_text, source):
    result = grade_text("conv_as_matmul", source)
    assert result.status == "fail", result.message
    assert "no_conv_or_unfold" in result.message
    assert result.score == 0


def test_as_strided_windows_are_index_arithmetic_and_pass(grade_text):
    """Strides written by hand are the exercise's own index reasoning: allowed (see docs/rules.md)."""
    source = """
import torch

def conv_matrix(kernel, in_h, in_w):
    kh, kw = kernel.shape
    out_h, out_w = in_h - kh + 1, in_w - kw + 1
    grid = torch.arange(in_h * in_w).reshape(in_h, in_w)
    windows = grid.as_strided((out_h, out_w, kh, kw), (in_w, 1, in_w, 1))
    K = torch.zeros(out_h * out_w, in_h * in_w, dtype=kernel.dtype)
    K[torch.arange(out_h * out_w)[:, None], windows.reshape(out_h * out_w, -1)] = kernel.flatten()
    return K
"""
    result = grade_text("conv_as_matmul", source)
    assert result.status == "pass", result.message


# --------------------------------------------------------------------------- autograd

# square_grad (fixture course): ∂/∂x Σ x² = 2x. Each attack gets it from torch's autograd.
def autograd_attack(body: str, setup: str = "") -> str:
    return "import torch\n" + setup + "\n\ndef square_grad(x):\n" + textwrap.indent(textwrap.dedent(body), "    ")


RUN_ENGINE = """
x = x.clone().requires_grad_(True)
y = (x * x).sum()
(g,) = ENGINE.run_backward((y,), (torch.ones_like(y),), False, False, (x,), False, False)
return g.detach()
"""

AUTOGRAD_ROUTES = {
    "Variable._execution_engine.run_backward": RUN_ENGINE.replace("ENGINE", "torch.autograd.Variable._execution_engine"),
    "a new torch._C._ImperativeEngine": RUN_ENGINE.replace("ENGINE", "torch._C._ImperativeEngine()"),
    "forward-mode AD (torch.autograd.forward_ad)": """
        import torch.autograd.forward_ad as fwAD
        with fwAD.dual_level():
            dual = fwAD.make_dual(x, torch.ones_like(x))
            return fwAD.unpack_dual(dual * dual).tangent.clone()
        """,
    "torch.func through getattr": """
        return getattr(torch, "fu" + "nc").grad(lambda t: (t * t).sum())(x)
        """,
    "functorch.grad": """
        import functorch
        return functorch.grad(lambda t: (t * t).sum())(x)
        """,
    "calling the graph's nodes by hand (grad_fn)": """
        x = x.clone().requires_grad_(True)
        y = (x * x).sum()
        g = y.grad_fn(torch.ones((), dtype=x.dtype))
        left, right = y.grad_fn.next_functions[0][0](g)
        return (left + right).detach()
        """,
    "torch.autograd.graph edges": """
        import torch.autograd.graph as graph
        x = x.clone().requires_grad_(True)
        y = (x * x).sum()
        edge = graph.get_gradient_edge(x)
        (g,) = getattr(torch.autograd, "gr" + "ad")(y, [edge])
        return g.detach()
        """,
    "the aten _backward operator": """
        x = x.clone().requires_grad_(True)
        torch.ops.aten._backward((x * x).sum(), [x])
        return x.grad.detach()
        """,
    "a tensor subclass that runs autograd inside __torch_dispatch__": """
        class Sneaky(torch.Tensor):
            @classmethod
            def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
                # Below autograd here: clear the excluded keys so that the graph is recorded again.
                nothing = torch._C.DispatchKeySet(torch._C.DispatchKey.CPU) - torch._C.DispatchKeySet(torch._C.DispatchKey.CPU)
                with torch._C._ForceDispatchKeyGuard(torch._C._dispatch_tls_local_include_set(), nothing):
                    inner = x.clone().requires_grad_(True)
                    (g,) = ENGINE.run_backward(((inner * inner).sum(),), (torch.ones((), dtype=x.dtype),),
                                               False, False, (inner,), False, False)
                found.append(g.detach())
                return NotImplemented
        found = []
        try:
            torch.Tensor._make_subclass(Sneaky, torch.zeros(1)) + 1
        except BaseException:
            pass
        return found[0]
        """.replace("ENGINE", "torch.autograd.Variable._execution_engine"),
    "importlib.reload(torch.autograd)": """
        import importlib
        ag = importlib.reload(torch.autograd)
        x = x.clone().requires_grad_(True)
        (g,) = ag.grad((x * x).sum(), x)
        return g.detach()
        """,
    "sys.modules['torch.autograd']": """
        import sys
        ag = sys.modules["torch.autograd"]
        x = x.clone().requires_grad_(True)
        (g,) = getattr(ag, "gr" + "ad")((x * x).sum(), x)
        return g.detach()
        """,
}

# Each way of taking dlcheck's dispatch-level check off the stack, followed by a backward pass.
UNHOOK_ROUTES = {
    "torch._C._pop_torch_dispatch_stack": "torch._C._pop_torch_dispatch_stack()",
    "torch.utils._python_dispatch._pop_mode": "import torch.utils._python_dispatch as pd\n        pd._pop_mode()",
    "torch._C._DisableTorchDispatch": "torch._C._DisableTorchDispatch().__enter__()",
    "torch._C.DisableTorchFunction": "torch._C.DisableTorchFunction().__enter__()",
    "excluding the Python dispatch key": "torch._C._dispatch_tls_set_dispatch_key_excluded(torch._C.DispatchKey.Python, True)",
    "torch._C._ExcludeDispatchKeyGuard": (
        "torch._C._ExcludeDispatchKeyGuard(torch._C.DispatchKeySet(torch._C.DispatchKey.Python)).__enter__()"),
    "torch.utils._python_dispatch._disable_current_modes": (
        "import torch.utils._python_dispatch as pd\n        pd._disable_current_modes().__enter__()"),
}

UNHOOK_THEN_BACKWARD = """
import torch


def square_grad(x):
    try:
        {unhook}
    except BaseException:
        pass
    x = x.clone().requires_grad_(True)
    y = (x * x).sum()
    (g,) = torch.autograd.Variable._execution_engine.run_backward((y,), (torch.ones_like(y),), False, False, (x,),
                                                                 False, False)
    return g.detach()
"""


@pytest.mark.parametrize("source", [
    *(pytest.param(autograd_attack(body), id=name) for name, body in AUTOGRAD_ROUTES.items()),
    *(pytest.param(UNHOOK_THEN_BACKWARD.format(unhook=unhook), id=f"unhooked by {name}")
      for name, unhook in UNHOOK_ROUTES.items()),
])
def test_autograd_by_any_route_breaks_the_autograd_rule(grade_fixture, source):
    result = grade_fixture("square_grad", source)
    assert result.status == "fail", result.message
    assert "no_autograd" in result.message
    assert result.score == 0


def test_torch_backward_kernels_break_the_autograd_rule(grade_text):
    """native_batch_norm_backward is the whole batchnorm_backward exercise, reached without autograd."""
    source = """
import torch

def batchnorm_backward(x, gamma, beta, eps, dy):
    mean = x.mean(0)
    invstd = 1 / torch.sqrt(x.var(0, unbiased=False) + eps)
    dx, dgamma, dbeta = torch.ops.aten.native_batch_norm_backward(
        dy, x, gamma, None, None, mean, invstd, True, eps, [True, True, True])
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}
"""
    result = grade_text("batchnorm_backward", source)
    assert result.status == "fail", result.message
    assert "no_autograd" in result.message
