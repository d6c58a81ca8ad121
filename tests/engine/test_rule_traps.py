"""The run-time layer of exercise rules on its own: operator bans and the autograd guard.

Attack code runs in a forked child right after `install_traps`, without the static scan in front
(tests/engine/test_rule_bypasses.py grades the same ideas through the whole grader). Each refusal
must both raise ForbiddenAPI and report the rule; legitimate code under the same traps must run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from dlcheck.rules import operators_matching
from tests.engine.trap_harness import run_attack

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def rules_of(exercise_id: str) -> list[dict]:
    spec = yaml.safe_load((EXERCISES / f"{exercise_id}.yaml").read_text(encoding="utf-8"))
    return spec["rules"]


CONV_RULES = rules_of("conv_as_matmul")
# The same operator ban without the names: whatever is refused, is refused at dispatch.
CONV_OPS_ONLY = [{**CONV_RULES[0], "forbid": ["torch.no_such_api"]}]
# As the fixture square_grad declares it: autograd is forbidden because these names are.
AUTOGRAD_RULES = [{"id": "no_autograd", "message": "m",
                   "forbid": ["torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward", "torch.func"]}]

PRELUDE = """
import torch
import torch.nn.functional as F
x = torch.randn(1, 1, 5, 5, dtype=torch.float64)
w = torch.randn(1, 1, 3, 3, dtype=torch.float64)
"""


def attack(body: str) -> str:
    return PRELUDE + "\ndef attack():\n" + textwrap.indent(textwrap.dedent(body).strip(), "    ")


# --------------------------------------------------------------------------- operator bans

@pytest.mark.parametrize("call", [
    "F.conv2d(x, w)",
    'getattr(F, "con" + "v2d")(x, w)',
    "torch.ops.aten.convolution.default(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)",
    "torch.convolution(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)",
    "torch._convolution(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1, False, False, True, True)",
    "torch._C._nn.thnn_conv2d(x, w, [3, 3])",
    "torch._C._VariableFunctions.conv2d(x, w)",
    "torch.ops.aten._slow_conv2d_forward(x, w, [3, 3], None, [1, 1], [0, 0])",
    "torch.mkldnn_convolution(x.float(), w.float(), None, [0, 0], [1, 1], [1, 1], 1)",
    "torch.ops.mkldnn._convolution_pointwise(x.float(), w.float(), None, [0, 0], [1, 1], [1, 1], 1, 'none', [], None)",
    "F.conv2d(x.float().to_mkldnn(), w.float().to_mkldnn())",
    "F.conv2d(x.to('meta'), w.to('meta'))",
    "F.conv3d(x[:, :, None], w[:, :, None])",
    "F.conv_transpose2d(x, w)",
    "torch.conv_tbc(torch.ones(5, 1, 1), torch.ones(3, 1, 1), torch.zeros(1))",
    "torch.nn.LazyConv2d(1, 3, dtype=torch.float64)(x)",
    "x.unfold(2, 3, 1)",
    "torch._C.TensorBase.unfold(x, 2, 3, 1)",
    "F.unfold(x, 3)",
    "F.fold(torch.ones(1, 9, 9, dtype=torch.float64), (5, 5), 3)",
    "torch.ops.aten.convolution.default.redispatch(torch._C.DispatchKeySet('CPU'), x, w, None, [1, 1], [0, 0], [1, 1], "
    "False, [0, 0], 1)",
    "torch.func.vmap(lambda a: F.conv2d(a[None], w))(x)",
    "torch.func.functionalize(lambda a: F.conv2d(a, w))(x)",
    "(torch.autocast('cpu', dtype=torch.bfloat16).__enter__(), F.conv2d(x.float(), w.float()))",
    "torch.compile(lambda a, b: F.conv2d(a, b), backend='eager')(x, w)",
    "torch.jit.CompilationUnit('def f(a: Tensor, b: Tensor):\\n    return torch.conv2d(a, b)\\n').f(x, w)",
])
def test_every_route_to_a_banned_operator_is_refused_at_dispatch(call):
    outcome = run_attack(CONV_OPS_ONLY, attack(f"return {call}"))
    assert outcome.refused, outcome
    assert outcome.reports[0][0] == "no_conv_or_unfold" and outcome.reports[0][1].startswith("torch operator ")


@pytest.mark.parametrize("body", [
    "return x[0, 0] @ x[0, 0].T",
    "return torch.einsum('ij,jk->ik', x[0, 0], x[0, 0])",
    "return x.as_strided((3, 3, 3, 3), (5, 1, 5, 1))",
    "return torch.kron(torch.eye(2, dtype=torch.float64), w[0, 0])",
    "K = torch.zeros(9, 25, dtype=torch.float64); K[torch.arange(9), torch.arange(9)] = 1.0; return K.sum()",
    "return torch.nn.functional.linear(x.flatten(1), torch.ones(2, 25, dtype=torch.float64))",
])
def test_code_that_does_not_convolve_runs_under_the_conv_ban(body):
    outcome = run_attack(CONV_RULES, attack(body))
    assert outcome.raised is None and outcome.reports == [], outcome


def test_a_refused_operator_stays_refused_after_the_submission_catches_it():
    body = """
    for _ in range(3):
        try:
            F.conv2d(x, w)
        except BaseException:
            pass
    return F.conv2d(x, w)
    """
    outcome = run_attack(CONV_OPS_ONLY, attack(body))
    assert outcome.refused and len(outcome.reports) == 1, outcome  # reported once, refused every time


@pytest.mark.parametrize("exercise_id", sorted(p.stem for p in EXERCISES.glob("*.yaml")
                                                if "rules:" in p.read_text(encoding="utf-8")))
def test_every_operator_pattern_in_the_course_names_real_operators(exercise_id):
    """A typo in `ops:` would silently ban nothing: each pattern must match a registered operator."""
    for rule in rules_of(exercise_id):
        for pattern in rule.get("ops") or []:
            assert operators_matching([pattern]), f"{exercise_id}: rule {rule['id']}: '{pattern}' matches no operator"
        assert run_attack([rule], "def attack():\n    return 1").raised is None  # installs cleanly


# --------------------------------------------------------------------------- the autograd guard

ENGINE_BACKWARD = """
v = torch.randn(3, dtype=torch.float64).requires_grad_(True)
y = (v * v).sum()
return ENGINE.run_backward((y,), (torch.ones_like(y),), False, False, (v,), False, False)
"""

AUTOGRAD_ATTACKS = {
    "the engine's private Python entry point": """
        v = torch.randn(3, dtype=torch.float64).requires_grad_(True)
        y = (v * v).sum()
        return torch.autograd.graph._engine_run_backward((y,), (torch.ones_like(y),), False, False, (v,), False, False)
        """,
    "the engine": ENGINE_BACKWARD.replace("ENGINE", "torch.autograd.Variable._execution_engine"),
    "a new engine": ENGINE_BACKWARD.replace("ENGINE", "torch._C._ImperativeEngine()"),
    "forward-mode AD": """
        import torch.autograd.forward_ad as fwAD
        with fwAD.dual_level():
            dual = fwAD.make_dual(torch.ones(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
            return fwAD.unpack_dual(dual * dual).tangent
        """,
    "torch.func.jvp from its defining module": """
        import torch._functorch.eager_transforms as et
        return et.jvp(lambda t: t * t, (torch.ones(3),), (torch.ones(3),))
        """,
    "functorch.grad": """
        import functorch
        return functorch.grad(lambda t: (t * t).sum())(torch.ones(3))
        """,
    "graph nodes called by hand": """
        v = torch.randn(3, dtype=torch.float64).requires_grad_(True)
        y = (v * v).sum()
        return y.grad_fn.next_functions[0][0](y.grad_fn(torch.ones((), dtype=torch.float64)))
        """,
    "the aten _backward operator": """
        v = torch.randn(3).requires_grad_(True)
        torch.ops.aten._backward((v * v).sum(), [v])
        return v.grad
        """,
    "a backward kernel": "return torch.ops.aten.tanh_backward(torch.ones(3), torch.ones(3))",
    "native_batch_norm_backward": """
        a = torch.randn(4, 3, dtype=torch.float64)
        return torch.ops.aten.native_batch_norm_backward(a, a, None, None, None, a.mean(0), a.var(0), True, 1e-5,
                                                         [True, True, True])
        """,
    "a tensor subclass that runs its own code below the guard": """
        class Sneaky(torch.Tensor):
            @classmethod
            def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
                return func(*[a.as_subclass(torch.Tensor) if isinstance(a, Sneaky) else a for a in args])
        return torch.Tensor._make_subclass(Sneaky, torch.zeros(1)) + 1
        """,
    "torch.compile (dynamo)": """
        def f(t):
            t = t.detach().requires_grad_(True)
            return torch.autograd.Variable._execution_engine.run_backward(((t * t).sum(),), (torch.ones(()),), False,
                                                                          False, (t,), False, False)
        return torch.compile(f, backend="eager")(torch.ones(3))
        """,
    "grad mode switched back on by TorchScript": """
        unit = torch.jit.CompilationUnit("def on(t: Tensor):\\n    torch.set_grad_enabled(True)\\n    return t\\n")
        with torch.no_grad():
            v = unit.on(torch.ones(1)).requires_grad_(True)
        return torch.autograd.Variable._execution_engine.run_backward(((v * v).sum(),), (torch.ones(()),), False,
                                                                      False, (v,), False, False)
        """,
}


@pytest.mark.parametrize("body", AUTOGRAD_ATTACKS.values(), ids=AUTOGRAD_ATTACKS.keys())
def test_every_route_to_a_gradient_is_refused(body):
    outcome = run_attack(AUTOGRAD_RULES, attack(body))
    assert outcome.refused, outcome
    assert outcome.reports[0][0] == "no_autograd"


UNHOOKS = {
    "_pop_torch_dispatch_stack": "torch._C._pop_torch_dispatch_stack()",
    "_pop_mode": "import torch.utils._python_dispatch as pd; pd._pop_mode()",
    "_disable_current_modes": "import torch.utils._python_dispatch as pd; pd._disable_current_modes().__enter__()",
    "_DisableTorchDispatch": "torch._C._DisableTorchDispatch()",
    "ExcludeDispatchKeyGuard": "torch._C.ExcludeDispatchKeyGuard(torch._C.DispatchKeySet(torch._C.DispatchKey.Python))",
    "_ExcludeDispatchKeyGuard": "torch._C._ExcludeDispatchKeyGuard(torch._C.DispatchKeySet(torch._C.DispatchKey.Python))",
    "_ForceDispatchKeyGuard": "torch._C._ForceDispatchKeyGuard(torch._C.DispatchKeySet(torch._C.DispatchKey.CPU), "
                              "torch._C.DispatchKeySet(torch._C.DispatchKey.Python))",
    "excluding the Python key": "torch._C._dispatch_tls_set_dispatch_key_excluded(torch._C.DispatchKey.Python, True)",
    "a dispatch mode of its own below the guard": "torch._C._set_dispatch_mode(object())",
    "a kernel of its own": "torch.library.Library('aten', 'IMPL').impl('mul.Tensor', lambda *a: None, 'CPU')",
    "redispatching below the guard": "torch.ops.aten.mul.Tensor.redispatch(torch._C.DispatchKeySet('CPU'), "
                                     "torch.ones(1), torch.ones(1))",
    "the Python dispatcher": "torch._C._EnablePythonDispatcher()",
    "patching the guard's class": "type(torch._C._get_dispatch_stack_at(0)).__torch_dispatch__ = None",
    "swapping the guard's class": "torch._C._get_dispatch_stack_at(0).__class__ = type('Passthrough', (), {})",
    "rewriting the guard's code": "type(torch._C._get_dispatch_stack_at(0)).__dict__['__torch_dispatch__'].__code__ = "
                                  "(lambda self, func, types, args=(), kwargs=None: func(*args, **(kwargs or {}))).__code__",
    "tracing into the guard": "import sys; sys.settrace(lambda *a: None)",
    "finding replaced objects with gc": "import gc; gc.get_objects()",
}


@pytest.mark.parametrize("unhook", UNHOOKS.values(), ids=UNHOOKS.keys())
def test_the_guard_cannot_be_taken_off_or_changed(unhook):
    body = f"""
    try:
        {unhook}
    except BaseException:
        pass
    assert torch._C._len_torch_dispatch_stack() == 1
    v = torch.randn(3).requires_grad_(True)
    return v * v  # records a graph: must still be refused
    """
    outcome = run_attack(AUTOGRAD_RULES, attack(body))
    assert outcome.refused, outcome


def test_the_functions_it_replaces_are_left_referenced_nowhere():
    """Before installing, gc lists every dict that holds an escape function; afterwards none may."""
    source = f"""
import gc, torch
from dlcheck import rules
ORIGINALS = {{n: getattr(torch._C, n) for n in (*rules.ESCAPE_FUNCTIONS, "_pop_torch_dispatch_stack")}}
HOLDERS = {{n: [d for d in gc.get_referrers(f) if isinstance(d, dict) and d is not ORIGINALS]
           for n, f in ORIGINALS.items()}}

def attack():
    rules.install_traps({AUTOGRAD_RULES!r}, lambda *a: None)
    still_held = sorted(n for n, holders in HOLDERS.items() for d in holders
                        if any(v is ORIGINALS[n] for v in d.values()))
    return still_held, all(HOLDERS.values())  # every function was found somewhere before
"""
    outcome = run_attack([], source)  # no traps yet: the attack installs them after taking its record
    assert outcome.raised is None and outcome.detail == "([], True)", outcome


@pytest.mark.parametrize("body", [
    # what the worker does around the submission: decode arguments, encode results
    "import numpy as np; return torch.from_numpy(np.ones(3)).clone()",
    "from dlcheck.wire import encode; return encode(torch.ones(3).requires_grad_(True))",
    # ordinary numerics, modules and no_grad
    "return torch.tanh(x).sum() + torch.sigmoid(x).mean() + (x @ x).sum()",
    "with torch.no_grad():\n        return torch.nn.Linear(3, 2)(torch.ones(1, 3))",
    "return torch.nn.functional.softmax(x.flatten(), 0).argmax()",
    "return repr(torch.ones(2).requires_grad_(True))",
])
def test_ordinary_code_runs_under_the_autograd_guard(body):
    outcome = run_attack(AUTOGRAD_RULES, attack(body))
    assert outcome.raised is None and outcome.reports == [], outcome


def test_autograd_allowed_overrides_the_derivation_from_forbid():
    allowed = [{**AUTOGRAD_RULES[0], "forbid": ["torch.func"], "autograd": "allowed"}]
    body = "v = torch.ones(3).requires_grad_(True); (v * v).sum().backward(); return v.grad.tolist()"
    outcome = run_attack(allowed, attack(body))
    assert outcome.raised is None and outcome.detail == "[2.0, 2.0, 2.0]", outcome


def test_autograd_allowed_still_traps_a_listed_tensor_method_on_any_tensor():
    """With autograd allowed there is no guard: the name trap on torch.Tensor alone refuses
    `loss.backward()`, which the static scan leaves alone (it cannot know `loss` is a tensor)."""
    allowed = [{**AUTOGRAD_RULES[0], "autograd": "allowed"}]
    body = "v = torch.ones(3).requires_grad_(True); loss = (v * v).sum(); loss.backward(); return v.grad.tolist()"
    outcome = run_attack(allowed, attack(body))
    assert outcome.refused and outcome.reports == [["no_autograd", "torch.Tensor.backward"]], outcome


# --------------------------------------------------------------------------- name traps

def test_a_package_not_yet_imported_is_trapped_when_imported():
    # xmlrpc stands for scipy (not installed everywhere): a package the worker has not imported yet.
    rule = [{"id": "no_xmlrpc_client", "message": "m", "forbid": ["xmlrpc.client"]}]
    outcome = run_attack(rule, "def attack():\n    from xmlrpc.client import dumps\n    return dumps")
    assert outcome.refused and outcome.reports == [["no_xmlrpc_client", "xmlrpc.client"]], outcome
    assert run_attack(rule, "def attack():\n    import xmlrpc\n    return 1").raised is None
