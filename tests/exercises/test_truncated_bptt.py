"""truncated_bptt: the reference against autograd with detached states and against rnn_bptt; which cases
full BPTT passes.
(Other correct styles, rules and feedback: `examples:` in exercises/truncated_bptt.yaml.)"""

import pytest
import torch

from solutions.rnn_bptt import rnn_bptt
from solutions.rnn_bptt_mistakes import truncated_one_step
from solutions.truncated_bptt import truncated_bptt

EXERCISE = "truncated_bptt"


def random_rnn(T, D, H, O, seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape, std=1.0: std * torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    return {"x": r(T, D), "h0": r(H, std=0.5), "W_xh": r(H, D, std=0.7), "W_hh": r(H, H, std=0.8),
            "b_h": r(H, std=0.3), "W_hy": r(O, H), "b_y": r(O, std=0.3), "targets": r(T, O)}


def autograd_truncated(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    """Σ_t ∂L_t/∂W_hh with the state h_{t−k} detached: L_t's graph only holds steps t−k+1 … t."""
    W = W_hh.clone().requires_grad_(True)
    total = torch.zeros_like(W_hh)
    for t in range(1, x.shape[0] + 1):
        h = h0
        for step in range(1, t + 1):
            if step == t - k + 1:
                h = h.detach()
            h = torch.tanh(W_xh @ x[step - 1] + W @ h + b_h)
        loss = 0.5 * ((W_hy @ h + b_y - targets[t - 1]) ** 2).sum()
        total += torch.autograd.grad(loss, W)[0]
    return total


@pytest.mark.parametrize("T, k", [(1, 1), (3, 1), (5, 2), (6, 3), (4, 4), (2, 5), (8, 5)])
def test_reference_matches_autograd_with_detached_states(T, k):
    args = random_rnn(T, 2, 3, 2, seed=10 * T + k)
    torch.testing.assert_close(truncated_bptt(**args, k=k), autograd_truncated(**args, k=k), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("T", [1, 3, 6])
def test_k_at_least_t_is_full_bptt_and_k_one_is_one_step(T):
    args = random_rnn(T, 1, 2, 3, seed=T)
    torch.testing.assert_close(truncated_bptt(**args, k=T), rnn_bptt(**args)["W_hh"], rtol=1e-12, atol=1e-13)
    torch.testing.assert_close(truncated_bptt(**args, k=T + 3), rnn_bptt(**args)["W_hh"], rtol=1e-12, atol=1e-13)
    torch.testing.assert_close(truncated_bptt(**args, k=1), truncated_one_step(*args.values())["W_hh"], rtol=1e-12,
                               atol=1e-13)


def test_graded_cases_cut_the_sequence(course, grader):
    """Most cases have k < T − 1 (so k ± 1 and full BPTT all differ), one has k = 1 and one k ≥ T."""
    cases = grader.reference_cases(course.get(EXERCISE))
    pairs = [(c.inputs["x"].shape[0], c.inputs["k"]) for c in cases]
    assert any(k == 1 for _, k in pairs) and any(k >= T for T, k in pairs)
    assert sum(k < T - 1 for T, k in pairs) >= len(pairs) // 2


FORWARD = """
import torch


def truncated_bptt(x, h0, W_xh, W_hh, b_h, W_hy, b_y, targets, k):
    hs = [h0]
    for x_t in x:
        hs.append(torch.tanh(W_xh @ x_t + W_hh @ hs[-1] + b_h))
"""

def test_full_bptt_is_named_on_the_first_case(grade_text):
    source = FORWARD + """    G, carry = torch.zeros_like(W_hh), torch.zeros_like(h0)
    for t in range(len(x), 0, -1):
        delta = (W_hy.T @ (W_hy @ hs[t] + b_y - targets[t - 1]) + carry) * (1 - hs[t] ** 2)
        G += torch.outer(delta, hs[t - 1])
        carry = W_hh.T @ delta
    return G
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "full_bptt"
    assert result.failure.case.startswith("T = 3, k = 1")
    names = [t.name for t in result.tests if t.status == "pass"]
    assert any(name.startswith("T = 4, k = 4") for name in names)  # k = T: nothing is cut, full BPTT is right
