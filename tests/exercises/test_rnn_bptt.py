"""rnn_bptt: the reference agrees with autograd; the no_autograd rule; feedback names the wrong gradients."""

from pathlib import Path

import numpy as np
import pytest
import torch

from solutions.rnn_bptt import rnn_bptt

EXERCISE = "rnn_bptt"
KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0")
REFERENCE_SOURCE = (Path(__file__).resolve().parents[2] / "solutions" / "rnn_bptt.py").read_text()


def random_rnn(T, D, H, O, seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape, std=1.0: std * torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    return {"x": r(T, D), "h0": r(H, std=0.5), "W_xh": r(H, D, std=0.7), "W_hh": r(H, H, std=0.6),
            "b_h": r(H, std=0.3), "W_hy": r(O, H), "b_y": r(O, std=0.3), "targets": r(T, O)}


def autograd_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets):
    params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h, "W_hy": W_hy, "b_y": b_y, "h0": h0}
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    h, loss = leaves["h0"], 0.0
    for t in range(x.shape[0]):
        h = torch.tanh(leaves["W_xh"] @ x[t] + leaves["W_hh"] @ h + leaves["b_h"])
        loss = loss + 0.5 * ((leaves["W_hy"] @ h + leaves["b_y"] - targets[t]) ** 2).sum()
    grads = torch.autograd.grad(loss, list(leaves.values()))
    return dict(zip(leaves, grads))


@pytest.mark.parametrize("T, D, H, O", [(1, 2, 3, 1), (1, 1, 1, 1), (3, 2, 4, 3), (6, 3, 2, 5), (9, 1, 5, 2)])
def test_reference_matches_autograd(T, D, H, O):
    args = random_rnn(T, D, H, O, seed=T * 100 + H)
    got, want = rnn_bptt(**args), autograd_gradients(**args)
    assert list(got) == list(KEYS)
    for key in KEYS:
        assert got[key].dtype == torch.float64 and got[key].shape == want[key].shape
        torch.testing.assert_close(got[key], want[key], rtol=1e-12, atol=1e-12)


def test_graded_cases_can_expose_every_mistake(course, grader):
    """T = 1 and H ≠ D ≠ O appear, and W_hh is never symmetric (or a missing transpose would hide)."""
    cases = grader.reference_cases(course.get(EXERCISE))
    shapes = [(c.inputs["x"].shape[0], c.inputs["x"].shape[1], c.inputs["h0"].shape[0],
               c.inputs["b_y"].shape[0]) for c in cases]
    assert any(T == 1 for T, *_ in shapes)
    assert any(len({D, H, O}) == 3 and T > 1 for T, D, H, O in shapes)
    for case in cases:
        W_hh = case.inputs["W_hh"].array
        assert W_hh.shape[0] >= 2 and not np.allclose(W_hh, W_hh.T), case.name


def test_gradients_from_stacked_deltas_pass(grade_text):
    """Backward pass that stores δ_t and forms the weight gradients with one matrix product each."""
    source = """
import torch

def rnn_bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets):
    hs = [h0]
    for x_t in x:
        hs.append(torch.tanh(W_xh @ x_t + W_hh @ hs[-1] + b_h))
    H = torch.stack(hs)                     # (T + 1, H)
    E = H[1:] @ W_hy.T + b_y - targets      # (T, O)
    deltas = torch.zeros_like(H[1:])
    carry = torch.zeros_like(h0)
    for t in range(x.shape[0] - 1, -1, -1):
        deltas[t] = (E[t] @ W_hy + carry) * (1 - H[t + 1] ** 2)
        carry = deltas[t] @ W_hh
    return {"W_xh": deltas.T @ x, "W_hh": deltas.T @ H[:-1], "b_h": deltas.sum(0),
            "W_hy": E.T @ H[1:], "b_y": E.sum(0), "h0": carry}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


AUTOGRAD_SUBMISSION = """
import torch
PREAMBLE

def rnn_bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets):
    leaves = [t.clone().requires_grad_(True) for t in (W_xh, W_hh, b_h, W_hy, b_y, h0)]
    W_xh_, W_hh_, b_h_, W_hy_, b_y_, h = leaves
    loss = 0
    for t in range(x.shape[0]):
        h = torch.tanh(W_xh_ @ x[t] + W_hh_ @ h + b_h_)
        loss = loss + 0.5 * ((W_hy_ @ h + b_y_ - targets[t]) ** 2).sum()
    GRADIENTS
    return dict(zip(["W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0"], grads))
"""


def autograd_submission(preamble, gradients):
    return AUTOGRAD_SUBMISSION.replace("PREAMBLE", preamble).replace("GRADIENTS", gradients)


def test_backward_call_breaks_the_rule(grade_text):
    result = grade_text(EXERCISE, autograd_submission("", "loss.backward(); grads = [p.grad for p in leaves]"))
    assert result.status == "fail"
    # The autograd guard refuses the graph loss.backward() needs (the scan cannot tell a tensor's
    # backward() from a layer object's).
    assert "Rule 'no_autograd' broken: your code called autograd" in result.message
    assert result.score == 0


@pytest.mark.parametrize("preamble, grad", [
    ("import torch.autograd as ag", "ag.grad"),
    ("ag = getattr(torch, 'auto' + 'grad')", "getattr(ag, 'gr' + 'ad')"),
])
def test_autograd_grad_through_an_alias_breaks_the_rule(grade_text, preamble, grad):
    result = grade_text(EXERCISE, autograd_submission(preamble, f"grads = {grad}(loss, leaves)"))
    assert result.status == "fail"
    assert "no_autograd" in result.message and "torch.autograd.grad" in result.message


def test_torch_func_breaks_the_rule(grade_text):
    source = """
import importlib
import torch

def rnn_bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets):
    func = importlib.import_module("torch." + "func")
    return func.grad(lambda w: (w ** 2).sum())(W_hh)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and "no_autograd" in result.message


def reference_with(old, new):
    assert old in REFERENCE_SOURCE
    return REFERENCE_SOURCE.replace(old, new)


def wrong_keys(result):
    return {m.path for m in result.failure.mismatches}


def test_a_w_hh_only_bug_is_reported_on_w_hh_alone(grade_text):
    source = reference_with('grads["W_hh"] += torch.outer(da, h_prev)',
                            'grads["W_hh"] += 1.01 * torch.outer(da, h_prev)')
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.diagnosis is None
    assert wrong_keys(result) == {"W_hh"}
    first_failing = next(t for t in result.tests if t.status == "fail")
    assert "W_hh" in first_failing.message and "W_hy" not in first_failing.message


def test_a_missing_transpose_names_the_recurrent_gradients_only(grade_text):
    result = grade_text(EXERCISE, reference_with("dh_next = W_hh.T @ da", "dh_next = W_hh @ da"))
    assert result.diagnosis["id"] == "w_hh_not_transposed"
    assert wrong_keys(result) == {"W_xh", "W_hh", "b_h", "h0"}  # the output layer is unaffected
    assert "W_hhᵀ" in result.diagnosis["message"]


def test_a_missing_key_is_named(grade_text):
    result = grade_text(EXERCISE, reference_with('grads["h0"] = dh_next', 'pass'))
    assert result.status == "fail"
    assert "missing key(s) ['h0']" in result.failure.mismatches[0].message


def test_float32_gradients_are_rejected_on_dtype(grade_text):
    result = grade_text(EXERCISE, reference_with("    return grads",
                                                 "    return {k: v.float() for k, v in grads.items()}"))
    assert result.status == "fail"
    assert all(m.kind == "dtype" for m in result.failure.mismatches)
    assert "float32" in result.failure.mismatches[0].message
