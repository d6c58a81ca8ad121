"""maxpool_backward: the reference agrees with autograd through F.max_pool2d (ties included); rules, feedback."""

import pytest
import torch
import torch.nn.functional as F

from solutions.maxpool_backward import make_cases, maxpool2d_backward

EXERCISE = "maxpool_backward"


def autograd_dx(x, dy, k, stride):
    leaf = x.clone().requires_grad_(True)
    y = F.max_pool2d(leaf[None, None], k, stride=stride)[0, 0]
    assert y.shape == dy.shape
    (dx,) = torch.autograd.grad(y, leaf, dy)
    return dx


def test_every_graded_case_matches_autograd():
    cases = make_cases(23)
    assert len(cases) == 16
    for case in cases:
        args = case["args"]
        torch.testing.assert_close(maxpool2d_backward(**args), autograd_dx(**args), rtol=0, atol=1e-14,
                                   msg=case["name"])


@pytest.mark.parametrize("H, W, k, stride", [(4, 4, 2, 2), (5, 7, 3, 1), (6, 5, 3, 2), (3, 3, 1, 1), (4, 6, 4, 3)])
@pytest.mark.parametrize("values", ["normal", "binary"])
def test_reference_matches_autograd_on_a_grid(H, W, k, stride, values):
    g = torch.Generator().manual_seed(H * 31 + W * 7 + k)
    if values == "binary":  # nearly every window has ties
        x = torch.randint(0, 2, (H, W), generator=g).to(torch.float64)
    else:
        x = torch.randn(H, W, generator=g, dtype=torch.float64)
    dy = torch.randn((H - k) // stride + 1, (W - k) // stride + 1, generator=g, dtype=torch.float64)
    torch.testing.assert_close(maxpool2d_backward(x, dy, k, stride), autograd_dx(x, dy, k, stride),
                               rtol=0, atol=1e-14)


def test_graded_cases_have_overlap_ties_and_uncovered_entries():
    cases = [c["args"] for c in make_cases(23)]
    assert any(a["stride"] < a["k"] for a in cases)
    assert any((a["x"].shape[1] - a["k"]) % a["stride"] for a in cases)
    assert sum(a["x"].unique().numel() < a["x"].numel() for a in cases) >= 5


def test_vectorised_unfold_and_index_put_passes(grade_text):
    source = """
import torch

def maxpool2d_backward(x, dy, k, stride):
    H, W = x.shape
    index = torch.arange(H * W).reshape(H, W).to(x.dtype)
    patches = x.unfold(0, k, stride).unfold(1, k, stride).flatten(2)        # (out_h, out_w, k*k)
    where = index.unfold(0, k, stride).unfold(1, k, stride).flatten(2)
    first = patches.argmax(-1, keepdim=True)
    flat = torch.gather(where, -1, first).long().flatten()
    dx = torch.zeros(H * W, dtype=x.dtype)
    dx.index_put_((flat,), dy.flatten(), accumulate=True)
    return dx.reshape(H, W)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_max_pool_with_indices_breaks_the_rule(grade_text):
    source = """
import torch
import torch.nn.functional as F

def maxpool2d_backward(x, dy, k, stride):
    _, idx = F.max_pool2d(x[None, None], k, stride=stride, return_indices=True)
    dx = torch.zeros(x.numel(), dtype=x.dtype)
    dx.index_add_(0, idx.flatten(), dy.flatten())
    return dx.reshape(x.shape)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.score == 0
    assert "no_autograd_or_pooling_ops" in result.message and "max_pool2d" in result.message


def test_backward_call_breaks_the_rule(grade_text):
    source = """
import torch

def maxpool2d_backward(x, dy, k, stride):
    leaf = x.clone().requires_grad_(True)
    y = torch.stack([torch.stack([leaf[r*stride:r*stride+k, c*stride:c*stride+k].max()
                                  for c in range(dy.shape[1])]) for r in range(dy.shape[0])])
    (y * dy).sum().backward()
    return leaf.grad
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and "Rule 'no_autograd_or_pooling_ops' broken: your code called autograd" in result.message


LOOP_SUBMISSION = """
import torch

def maxpool2d_backward(x, dy, k, stride):
    dx = torch.zeros_like(x)
    for r in range(dy.shape[0]):
        for c in range(dy.shape[1]):
            top, left = r * STEP, c * STEP
            window = x[top:top + k, left:left + k]
            if window.numel() == 0:
                continue
            i, j = divmod(int(window.argmax()), window.shape[1])
            dx[top + i, left + j] UPDATE dy[r, c]
    return dx
"""


def loop_submission(step="stride", update="+="):
    return LOOP_SUBMISSION.replace("STEP", step).replace("UPDATE", update)


def test_a_running_maximum_started_at_zero_fails_on_the_negative_window(grade_text):
    source = """
import torch

def maxpool2d_backward(x, dy, k, stride):
    dx = torch.zeros_like(x)
    for r in range(dy.shape[0]):
        for c in range(dy.shape[1]):
            best, where = 0.0, (r * stride, c * stride)
            for i in range(k):
                for j in range(k):
                    if x[r * stride + i, c * stride + j] > best:
                        best, where = x[r * stride + i, c * stride + j], (r * stride + i, c * stride + j)
            dx[where] += dy[r, c]
    return dx
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.case.startswith("every entry negative")


def test_the_plain_loop_passes(grade_text):
    assert grade_text(EXERCISE, loop_submission()).status == "pass"


def test_assignment_instead_of_sum_fails_first_on_the_overlapping_case(grade_text):
    result = grade_text(EXERCISE, loop_submission(update="="))
    assert result.diagnosis["id"] == "gradient_not_accumulated"
    assert result.failure.case.startswith("overlapping windows")
    assert "+=" in result.diagnosis["message"]


def test_an_unlisted_bug_fails_without_a_diagnosis(grade_text):
    """Windows placed k apart whatever the stride: wrong on overlapping cases, right when stride = k."""
    result = grade_text(EXERCISE, loop_submission(step="k"))
    assert result.status == "fail" and result.diagnosis is None
    assert result.tests[0].status == "pass" and result.tests[1].status == "pass"
