"""The rule that a submission leaves its arguments as the caller passed them, on real exercises.

Every submission here returns the right values; the ones that change an argument in place (its
values, dtype, shape, requires_grad, .grad, or the entries of a dict it was given) must fail, with a
message naming the argument and what changed, and the same code written without the mutation must
pass. An exercise whose spec lists the argument in `modifies:` lets it be updated. A submission that
patches torch or builtins cannot switch the check off, and a check that cannot run is an error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dlcheck.catalog import Course
from dlcheck.errors import SpecError
from dlcheck.grading import Grader
from dlcheck.spec import load_spec
from dlcheck.submission import Submission
from tests.conftest import REPO, run_cli

ADAM_IN_PLACE = """
import torch

def adam(params, grads, lr, beta1, beta2, eps):
{prelude}
    m = torch.zeros_like(params)
    v = torch.zeros_like(params)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        params -= lr * (m / (1 - beta1 ** t)) / (torch.sqrt(v / (1 - beta2 ** t)) + eps)
    return {{"params": params, "m": m, "v": v}}
"""

PERCEPTRON = """
import torch

def perceptron(w, X, y, lr, epochs):
{prelude}
    updates = 0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            if y_i * torch.dot(w, x_i) <= 0:
                {update}
                updates += 1
    return w.clone(), updates
"""

CLIP = """
import torch

def clip_grad_norm(grads, max_norm):
    total = torch.sqrt(sum((g * g).sum() for g in grads.values()))
    scale = min(1.0, max_norm / (total.item() + 1e-6))
{scaling}
"""

EIKONAL = """
import torch

def eikonal_loss(f, theta, x):
{prelude}
    (grad_x,) = torch.autograd.grad(f(x, theta).sum(), x, create_graph=True)
    loss = ((torch.linalg.vector_norm(grad_x, dim=-1) - 1.0) ** 2).mean()
{gradient}
"""

BATCHNORM = """
import torch

def batchnorm_backward(x, gamma, beta, eps, dy):
{centre}
    inv_std = 1.0 / torch.sqrt((centred ** 2).mean(dim=0) + eps)
    x_hat = centred * inv_std
    dx = gamma * inv_std * (dy - dy.mean(dim=0) - x_hat * (dy * x_hat).mean(dim=0))
{after}
    return {{"dx": dx, "dgamma": (dy * x_hat).sum(dim=0), "dbeta": dy.sum(dim=0)}}
"""


def indent(code: str) -> str:
    return "\n".join("    " + line for line in code.strip().splitlines())


def adam(prelude: str = "") -> str:
    return ADAM_IN_PLACE.format(prelude=indent(prelude or "pass"))


def perceptron(update: str, prelude: str = "pass") -> str:
    return PERCEPTRON.format(update=update, prelude=indent(prelude))


def clip(scaling: str) -> str:
    return CLIP.format(scaling=indent(scaling))


def eikonal(prelude: str, gradient: str) -> str:
    return EIKONAL.format(prelude=indent(prelude), gradient=indent(gradient))


def batchnorm(centre: str, after: str = "pass") -> str:
    return BATCHNORM.format(centre=indent(centre), after=indent(after))


AUTOGRAD_GRAD = "(grad_theta,) = torch.autograd.grad(loss, theta)\nreturn loss.detach(), grad_theta"
BACKWARD = "loss.backward()\nreturn loss.detach(), theta.grad.clone()"

# (exercise, submission, the argument the message must name, what it must say changed)
MUTATIONS = {
    "adam_params_minus_equals": ("adam_step", adam(), "params", "values"),
    "perceptron_w_plus_equals": ("perceptron_update", perceptron("w += lr * y_i * x_i"), "w", "values"),
    "perceptron_add_": ("perceptron_update", perceptron("w.add_(lr * y_i * x_i)"), "w", "values"),
    "clip_mul_": ("grad_clip_global_norm", clip("for g in grads.values():\n    g.mul_(scale)\n"
                                                "return grads, total.item()"), "grads", "values"),
    "clip_replaces_entries": ("grad_clip_global_norm", clip("for k in grads:\n    grads[k] = grads[k] * scale\n"
                                                            "return grads, total.item()"), "grads", "entries"),
    "eikonal_requires_grad_": ("eikonal_loss", eikonal("theta.requires_grad_(True)\nx.requires_grad_(True)",
                                                       AUTOGRAD_GRAD), "theta", "requires_grad"),
    "eikonal_backward_leaves_grad": ("eikonal_loss", eikonal(
        "theta.requires_grad_(True)\nx.requires_grad_(True)",
        "loss.backward()\ngrad_theta = theta.grad.clone()\ntheta.requires_grad_(False)\nx.requires_grad_(False)\n"
        "return loss.detach(), grad_theta"), "theta", ".grad"),
    "adam_data_assignment": ("adam_step", adam().replace("params -= ", "params.data = params.data - "), "params",
                             "values"),
    "batchnorm_detach_shares_storage": ("batchnorm_backward", batchnorm(
        "mu = x.mean(dim=0)\nx.detach().sub_(mu)\ncentred = x"), "x", "values"),
    "batchnorm_through_row_views": ("batchnorm_backward", batchnorm(
        "mu = x.mean(dim=0)\nfor row in x:\n    row -= mu\ncentred = x"), "x", "values"),
    "batchnorm_resize_": ("batchnorm_backward", batchnorm(
        "gamma.resize_(1, gamma.shape[0])\ncentred = x - x.mean(dim=0)"), "gamma", "shape"),
    "batchnorm_grad_assignment": ("batchnorm_backward", batchnorm("centred = x - x.mean(dim=0)", "x.grad = dx.clone()"),
                                  "x", ".grad"),
    "eikonal_dtype_via_data": ("eikonal_loss", eikonal(
        "points = x\ntheta = theta.clone().requires_grad_(True)\nx = x.clone().requires_grad_(True)",
        "points.data = points.data.to(torch.float32)\n" + AUTOGRAD_GRAD), "x", "dtype"),
}

# The same computations, written so that the caller's arguments stay as they were.
CLEAN = {
    "adam_clone_first": ("adam_step", adam("params = params.clone()")),
    "perceptron_clone_then_plus_equals": ("perceptron_update", perceptron("w += lr * y_i * x_i", "w = w.clone()")),
    "perceptron_rebinding": ("perceptron_update", perceptron("w = w + lr * y_i * x_i")),
    "clip_new_dict": ("grad_clip_global_norm", clip("return {k: g * scale for k, g in grads.items()}, total.item()")),
    "eikonal_detach_requires_grad": ("eikonal_loss", eikonal(
        "theta = theta.detach().requires_grad_(True)\nx = x.detach().requires_grad_(True)", BACKWARD)),
    "eikonal_clone_requires_grad": ("eikonal_loss", eikonal(
        "theta = theta.clone().requires_grad_(True)\nx = x.clone().requires_grad_(True)", AUTOGRAD_GRAD)),
    "batchnorm_clone_then_sub_": ("batchnorm_backward", batchnorm("centred = x.clone()\ncentred -= x.mean(dim=0)")),
    "batchnorm_view_of_gamma": ("batchnorm_backward", batchnorm("gamma = gamma.view(1, -1)\ncentred = x - x.mean(0)")),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_a_correct_result_that_changes_an_argument_fails_naming_it(grade_text, name):
    exercise, source, argument, what = MUTATIONS[name]
    result = grade_text(exercise, source)
    assert result.status == "fail", result.message
    assert result.score < result.max_score
    first = next(t for t in result.tests if t.status != "pass")
    assert first.status == "fail"
    assert "changed its argument" in first.message and f"`{argument}`" in first.message, first.message
    assert what in first.message, first.message
    assert f"`{argument}" in result.message
    assert result.diagnosis is None  # no listed mistake gives these (correct) outputs


@pytest.mark.parametrize("name", CLEAN)
def test_the_same_computation_without_mutation_passes(grade_text, name):
    exercise, source = CLEAN[name]
    result = grade_text(exercise, source)
    assert result.status == "pass", result.message


def test_the_message_teaches_the_out_of_place_form(grade_text):
    result = grade_text("adam_step", adam())
    first = next(t for t in result.tests if t.status != "pass")
    assert "in place" in first.message and "clone()" in first.message
    assert result.failure is not None and not result.failure.mismatches  # the output itself was right
    assert "`params`" in result.failure.arguments


def test_hidden_cases_name_the_argument_too(grade_text):
    result = grade_text("adam_step", adam())
    hidden = [t for t in result.tests if t.hidden]
    assert hidden and all(t.status == "fail" and "`params`" in t.message for t in hidden)


def test_requires_grad_and_grad_are_both_reported(grade_text):
    result = grade_text("eikonal_loss", eikonal("theta.requires_grad_(True)\nx.requires_grad_(True)", BACKWARD))
    first = next(t for t in result.tests if t.status != "pass")
    assert "`theta`" in first.message and "`x`" in first.message
    assert "requires_grad" in first.message and ".grad" in first.message


def test_a_mutation_on_top_of_a_known_mistake_keeps_the_diagnosis(grade_text):
    """The outputs name the misconception; each case still says that an argument was changed."""
    source = adam().replace("/ (1 - beta1 ** t)", "").replace("/ (1 - beta2 ** t)", "")  # no bias correction
    result = grade_text("adam_step", source)
    assert result.status == "fail"
    assert result.diagnosis["id"] == "no_bias_correction"
    first = next(t for t in result.tests if t.status != "pass")
    assert "changed its argument `params`" in first.message


HOSTILE_PATCHES = '''
import builtins
import numpy
import torch

torch.equal = lambda *a, **k: True
torch.Tensor.__eq__ = lambda self, other: True
torch.Tensor.clone = lambda self, *a, **k: self
torch.Tensor.__ne__ = lambda self, other: False
torch.Tensor.detach = lambda self: self
torch.Tensor.data = property(lambda self: torch.zeros(1))
torch.Tensor.requires_grad = property(lambda self: False)
torch.Tensor.grad = property(lambda self: None)
torch.Tensor.tolist = lambda self: []
torch.Tensor.data_ptr = lambda self: 0
numpy.array_equal = lambda *a, **k: True
numpy.ndarray = object
# (What the worker's own encoder reads to send the result, numpy() and shape, is left alone: the
# result must arrive right for the input check alone to fail the case.)

def vandalise_builtins():
    builtins.isinstance = lambda *a: True
    builtins.type = lambda *a: object
    builtins.len = lambda *a: 0
    builtins.id = lambda *a: 0
    builtins.bytes = lambda *a: b""
'''


def test_patching_torch_numpy_and_builtins_does_not_switch_the_check_off(grade_text):
    source = HOSTILE_PATCHES + perceptron("w += lr * y_i * x_i", "vandalise_builtins()").replace("import torch\n", "", 1)
    result = grade_text("perceptron_update", source)
    assert result.status == "fail", result.message
    first = next(t for t in result.tests if t.status != "pass")
    assert "changed its argument `w`" in first.message


def test_a_check_that_cannot_run_is_an_error_never_a_pass(grade_text):
    """A dispatch mode left on the stack refuses every operator, the check's own reads included."""
    source = eikonal("theta = theta.clone().requires_grad_(True)\nx = x.clone().requires_grad_(True)", """
(grad_theta,) = torch.autograd.grad(loss, theta)
result = loss.detach(), grad_theta
from torch.utils._python_dispatch import TorchDispatchMode
class Refuse(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        raise RuntimeError("refused")
Refuse().__enter__()
return result
""")
    result = grade_text("eikonal_loss", source)
    assert result.status == "error"
    assert "could not check" in result.tests[0].message
    assert not any(t.status == "pass" for t in result.tests)


# ------------------------------------------------------------ modifies: in the spec

@pytest.fixture(scope="module")
def course_updating_params(tmp_path_factory) -> Path:
    """A course holding adam_step as it is, except that its spec says it updates `params` in place."""
    root = tmp_path_factory.mktemp("course")
    (root / "exercises").mkdir()
    (root / "solutions").mkdir()
    spec = (REPO / "exercises" / "adam_step.yaml").read_text(encoding="utf-8")
    (root / "exercises" / "adam_step.yaml").write_text(spec + "modifies: [params]\n", encoding="utf-8")
    for name in ("adam_step.py", "adam_step_mistakes.py"):
        shutil.copy(REPO / "solutions" / name, root / "solutions" / name)
    return root


@pytest.fixture(scope="module")
def adam_updating_params(course_updating_params):
    course = Course(course_updating_params)
    with Grader(course) as grader:
        yield lambda source: grader.grade(course.get("adam_step"), Submission(source, "adam_step.py", ".py"))


def test_an_argument_listed_in_modifies_may_be_updated(adam_updating_params):
    assert adam_updating_params(adam()).status == "pass"


def test_modifies_exempts_only_the_arguments_it_lists(adam_updating_params):
    result = adam_updating_params(adam("grads.grad = torch.zeros_like(grads)"))
    assert result.status == "fail"
    first = next(t for t in result.tests if t.status != "pass")
    assert "`grads`" in first.message and "`params`" not in first.message


def test_show_states_the_rule_and_its_exemption(course_updating_params, tmp_path):
    env = {"DLCHECK_COURSE": str(course_updating_params), "COLUMNS": "200", "XDG_CACHE_HOME": str(tmp_path / "c")}
    shown = run_cli("show", "adam_step", cwd=tmp_path, env=env)
    assert "Arguments: your function must leave the tensors it is given as they were, except `params`, which it " \
           "updates in place" in shown.stdout
    plain = run_cli("show", "perceptron_update", cwd=tmp_path, env={**env, "DLCHECK_COURSE": str(REPO)})
    assert "Arguments: your function must leave the tensors it is given as they were (values" in plain.stdout


def test_modifies_must_name_arguments_of_the_entry_point(tmp_path):
    path = tmp_path / "adam_step.yaml"
    path.write_text((REPO / "exercises" / "adam_step.yaml").read_text() + "modifies: [params, theta]\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.field == "modifies[1]"
    assert "'theta' is not an argument of adam" in str(caught.value)


# ------------------------------------------------------------ through the command line

def test_the_cli_report_shows_what_changed(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "perceptron_update.py").write_text(perceptron("w += lr * y_i * x_i"))
    env = {"DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(workspace), "COLUMNS": "120",
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    text = run_cli("grade", "perceptron_update", cwd=tmp_path, env=env)
    assert "FAIL" in text.stdout and "arguments: your function changed its argument `w` (its values)" in text.stdout
    assert "got:      (tensor(dtype=float64, shape=[3]) [2., 1., 1.], 1)  (right)" in text.stdout
    done = run_cli("grade", "perceptron_update", "--format", "json", cwd=tmp_path, env=env)
    report = json.loads(done.stdout)
    assert report["status"] == "fail"
    assert "`w`" in report["failure"]["arguments"]
    assert report["failure"]["mismatches"] == []
