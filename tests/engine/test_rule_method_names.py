"""Every Tensor method a rule of the catalog forbids: refused on tensors, never on the submission's own objects.

The static scan cannot tell `loss.backward()` on a tensor from `layer.backward(g)` on a class the
submission defines (the cs231n layer style, issue 8), so it refuses only what it can attribute:
`torch.Tensor.backward(loss)`, `from torch import Tensor; Tensor.det(A)`. A real call on a tensor is
refused in the worker: by the name trap on torch.Tensor, by the operator ban below it (for the
methods torch._C.TensorBase also has), and by the autograd guard. Each submission here is the
exercise's reference wrapped in a function that first makes one such call.
"""

from __future__ import annotations

import ast

import msgspec
import pytest
import torch

from dlcheck import rules
from dlcheck.catalog import Course
from tests.conftest import REPO
from tests.engine.trap_harness import run_attack

COURSE = Course(REPO)

# A real call of each method on a tensor: the catalog forbids no method without one here.
REAL_CALLS = {
    "backward": "torch.ones((), dtype=torch.float64).backward()",
    "det": "torch.eye(2, dtype=torch.float64).det()",
    "logdet": "torch.eye(2, dtype=torch.float64).logdet()",
    "slogdet": "torch.eye(2, dtype=torch.float64).slogdet()",
    "lu": "torch.eye(2, dtype=torch.float64).lu()",
    "qr": "torch.eye(2, dtype=torch.float64).qr()",
    "svd": "torch.eye(2, dtype=torch.float64).svd()",
    "unfold": "torch.arange(4.0, dtype=torch.float64).unfold(0, 2, 1)",
}


def forbidden_methods() -> list[tuple[str, str, str]]:
    """(exercise, rule, api) for every Tensor method a rule forbids, listed or implied by autograd."""
    found = []
    for spec in COURSE.specs:
        for rule in getattr(spec, "rules", []):
            as_dict = {"forbid": rule.forbid, "autograd": rule.autograd}
            implied = rules.AUTOGRAD_NAMES if rules.forbids_autograd(as_dict) else ()
            apis = dict.fromkeys([*rule.forbid, *implied])
            found += [(spec.id, rule.id, api) for api in apis if api.startswith("torch.Tensor.")]
    return found


FORBIDDEN = forbidden_methods()
# torch.Tensor.grad_fn is an attribute, not a call: no graph is ever recorded under the autograd
# guard (tests/engine/test_rule_bypasses.py calls graph nodes by hand), so it is None on any tensor.
CALLED = [(exercise, rule, api) for exercise, rule, api in FORBIDDEN if api != "torch.Tensor.grad_fn"]
AUTOGRAD_EXERCISES = sorted({exercise for exercise, _, api in FORBIDDEN if api == "torch.Tensor.backward"})


def test_the_catalog_forbids_the_methods_this_file_knows():
    assert {api.rpartition(".")[2] for _, _, api in CALLED} <= REAL_CALLS.keys()
    assert len(AUTOGRAD_EXERCISES) >= 7 and {"conv_as_matmul", "matrix_determinant_lemma"} <= {e for e, _, _ in CALLED}


def around_reference(exercise_id: str, prelude: str, statement: str, result: str = "{result}") -> str:
    """The reference solution, with its function wrapped: `statement` runs first, and `result` (with
    {result} standing for the reference's value) is returned."""
    spec = COURSE.get(exercise_id)
    function = spec.entry_point
    reference = (REPO / "solutions" / f"{exercise_id}.py").read_text(encoding="utf-8")
    source = (f"{reference}\n\nimport torch\n\n{prelude}\n\n_{function}_by_hand = {function}\n\n\n"
              f"def {function}(*args, **kwargs):\n    {statement}\n"
              f"    return {result.format(result=f'_{function}_by_hand(*args, **kwargs)')}\n")
    ast.parse(source)
    return source


def own_object(method_names: list[str]) -> str:
    """A class of the submission's own with methods of those names (each returns its argument)."""
    methods = "".join(f"    def {name}(self, value=None, *more, **options):\n        return value\n\n"
                      for name in method_names)
    return f"class Steps:\n    grad_fn = None\n\n{methods}"


@pytest.mark.parametrize("exercise", sorted({exercise for exercise, _, _ in FORBIDDEN}))
def test_methods_of_the_submissions_own_with_forbidden_names_pass(grade_text, exercise):
    names = sorted({api.rpartition(".")[2] for e, _, api in CALLED if e == exercise})
    steps = "steps = Steps(); " + "; ".join(f"steps.{name}(1)" for name in names) + "; steps.grad_fn"
    # And the reference's value is passed through the object's first method on its way out.
    source = around_reference(exercise, own_object(names), steps, f"steps.{names[0]}({{result}})")
    result = grade_text(exercise, source)
    assert result.status == "pass", result.message


@pytest.mark.parametrize("exercise, rule, api", CALLED, ids=[f"{e}-{a}" for e, _, a in CALLED])
def test_the_method_called_on_a_tensor_breaks_the_rule(grade_text, exercise, rule, api):
    source = around_reference(exercise, "", REAL_CALLS[api.rpartition(".")[2]])
    result = grade_text(exercise, source)
    assert (result.status, result.score) == ("fail", 0), result.message
    assert result.message.startswith(f"Rule '{rule}' broken: your code called {api}."), result.message


@pytest.mark.parametrize("exercise", AUTOGRAD_EXERCISES)
def test_loss_backward_on_a_graph_breaks_the_autograd_rule(grade_text, exercise):
    statement = ("w = torch.ones(2, dtype=torch.float64).requires_grad_(True); loss = (w * w).sum(); "
                 "loss.backward()")
    result = grade_text(exercise, around_reference(exercise, "", statement))
    assert (result.status, result.score) == ("fail", 0), result.message
    rule = next(r for e, r, api in FORBIDDEN if e == exercise and api == "torch.Tensor.backward")
    assert result.message.startswith(f"Rule '{rule}' broken: your code called autograd"), result.message


@pytest.mark.parametrize("exercise, rule, api", CALLED, ids=[f"{e}-{a}" for e, _, a in CALLED])
def test_the_original_method_below_the_name_trap_is_banned_as_an_operator(exercise, rule, api):
    """super(torch.Tensor, t).det() skips the name trap on torch.Tensor and finds torch._C.TensorBase's
    method, which the static scan cannot attribute either: the operator it runs is banned."""
    name = api.rpartition(".")[2]
    if not hasattr(torch._C.TensorBase, name):
        # Defined in Python on torch.Tensor only (backward, lu): the name trap replaced the one copy.
        assert name in vars(torch.Tensor)
        return
    spec_rules = [msgspec.structs.asdict(r) for r in COURSE.get(exercise).rules]
    call = REAL_CALLS[name].replace("torch.eye(2, dtype=torch.float64)", "super(torch.Tensor, torch.eye(2, dtype=torch.float64))")
    call = call.replace("torch.arange(4.0, dtype=torch.float64)", "super(torch.Tensor, torch.arange(4.0, dtype=torch.float64))")
    assert "super(" in call
    outcome = run_attack(spec_rules, f"import torch\n\ndef attack():\n    return {call}\n")
    assert outcome.refused, outcome
    assert outcome.reports[0][0] == rule and outcome.reports[0][1].startswith("torch operator "), outcome


def test_the_static_scan_still_refuses_what_it_can_attribute():
    rule = [{"id": "no_autograd", "message": "m", "forbid": ["torch.Tensor.backward", "torch.Tensor.det"]}]
    for source in ("import torch\ntorch.Tensor.backward(loss)", "from torch import Tensor\nTensor.det(A)",
                   'import torch\nf = getattr(torch.Tensor, "back" + "ward")', "from torch import *\nTensor.det(A)"):
        [violation] = rules.scan_source(ast.parse(source), rule)
        assert violation.api in ("torch.Tensor.backward", "torch.Tensor.det"), source
    for source in ("loss.backward()", "layer.backward(grad)", "A.det()", "np.ones(3).backward", "self.grad_fn"):
        assert rules.scan_source(ast.parse("import torch\n" + source), rule) == [], source
