"""affine_coupling: the reference against autograd Jacobians and round trips, alternatives, feedback."""

import torch

from solutions.affine_coupling import affine_coupling, make_cases

EXERCISE = "affine_coupling"


def random_layer(seed, B=3, D=5, d=2):
    gen = torch.Generator().manual_seed(seed)
    x, y = torch.randn(2, B, D, dtype=torch.float64, generator=gen)
    W_s, W_t = torch.randn(2, d, D - d, dtype=torch.float64, generator=gen)
    b_s, b_t = torch.randn(2, D - d, dtype=torch.float64, generator=gen)
    return x, y, d, W_s, b_s, W_t, b_t


def test_log_det_equals_the_log_determinant_of_the_autograd_jacobian():
    x, y, d, *params = random_layer(0)
    log_det = affine_coupling(x, y, d, *params)["log_det"]
    for row, expected in zip(x, log_det):
        def layer(v):
            return affine_coupling(v[None], v[None], d, *params)["forward"][0]
        jacobian = torch.autograd.functional.jacobian(layer, row)
        sign, logabsdet = torch.linalg.slogdet(jacobian)
        assert sign.item() == 1.0
        torch.testing.assert_close(logabsdet, expected, rtol=1e-12, atol=1e-12)


def test_inverse_undoes_forward_and_forward_undoes_inverse_on_every_graded_case():
    for case in make_cases(seed=17):
        x, y, d = case["args"]["x"], case["args"]["y"], case["args"]["d"]
        params = [case["args"][k] for k in ("W_s", "b_s", "W_t", "b_t")]
        out = affine_coupling(x, y, d, *params)
        torch.testing.assert_close(affine_coupling(x, out["forward"], d, *params)["inverse"], x)
        torch.testing.assert_close(affine_coupling(out["inverse"], y, d, *params)["forward"], y)


def test_graded_splits_include_uneven_ones():
    splits = {(c["args"]["x"].shape[1], c["args"]["d"]) for c in make_cases(seed=17)}
    assert any(2 * d == D for D, d in splits)
    assert any(2 * d < D for D, d in splits) and any(2 * d > D for D, d in splits)


def test_a_per_sample_loop_with_explicit_splits_passes(grade_text):
    source = """
import torch

def affine_coupling(x, y, d, W_s, b_s, W_t, b_t):
    forward, log_det, inverse = [], [], []
    for row_x, row_y in zip(x, y):
        x1, x2 = torch.split(row_x, [d, x.shape[1] - d])
        s, t = torch.tanh(x1 @ W_s + b_s), x1 @ W_t + b_t
        forward.append(torch.cat([x1, x2 * s.exp() + t]))
        log_det.append(s.sum())
        y1, y2 = row_y[:d], row_y[d:]
        s, t = torch.tanh(y1 @ W_s + b_s), y1 @ W_t + b_t
        inverse.append(torch.cat([y1, (y2 - t) / s.exp()]))
    return {"forward": torch.stack(forward), "log_det": torch.stack(log_det), "inverse": torch.stack(inverse)}
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_log_det_summed_over_the_batch_is_named(grade_text):
    source = """
import torch

def affine_coupling(x, y, d, W_s, b_s, W_t, b_t):
    s, t = torch.tanh(x[:, :d] @ W_s + b_s), x[:, :d] @ W_t + b_t
    sy, ty = torch.tanh(y[:, :d] @ W_s + b_s), y[:, :d] @ W_t + b_t
    return {"forward": torch.cat([x[:, :d], x[:, d:] * torch.exp(s) + t], dim=1),
            "log_det": torch.sum(s),
            "inverse": torch.cat([y[:, :d], (y[:, d:] - ty) * torch.exp(-sy)], dim=1)}
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "logdet_summed_over_batch"
    assert result.failure.mismatches[0].path == "log_det"
    assert result.failure.mismatches[0].kind == "shape"


def test_hard_coded_half_split_fails_on_an_uneven_split(grade_text):
    source = """
import torch

def affine_coupling(x, y, d, W_s, b_s, W_t, b_t):
    h = x.shape[1] // 2
    s, t = torch.tanh(x[:, :h] @ W_s + b_s), x[:, :h] @ W_t + b_t
    sy, ty = torch.tanh(y[:, :h] @ W_s + b_s), y[:, :h] @ W_t + b_t
    return {"forward": torch.cat([x[:, :h], x[:, h:] * torch.exp(s) + t], dim=1), "log_det": s.sum(dim=1),
            "inverse": torch.cat([y[:, :h], (y[:, h:] - ty) * torch.exp(-sy)], dim=1)}
"""
    result = grade_text(EXERCISE, source)
    assert result.status in ("fail", "error")
    assert result.tests[0].status == "pass"  # D = 2, d = 1 is an even split
    assert result.failure.case.startswith("first two of three")


def test_missing_key_is_reported_as_structure(grade_text):
    source = """
import torch

def affine_coupling(x, y, d, W_s, b_s, W_t, b_t):
    s, t = torch.tanh(x[:, :d] @ W_s + b_s), x[:, :d] @ W_t + b_t
    return {"forward": torch.cat([x[:, :d], x[:, d:] * torch.exp(s) + t], dim=1), "log_det": s.sum(dim=1)}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert any(m.kind == "structure" and "inverse" in m.message for m in result.failure.mismatches)
