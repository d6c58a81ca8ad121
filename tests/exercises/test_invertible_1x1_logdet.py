"""invertible_1x1_logdet: the reference against slogdet and a conv2d Jacobian; types, rule, feedback."""

import torch
import torch.nn.functional as F

from solutions.invertible_1x1_logdet import invertible_1x1_logdet, make_cases

EXERCISE = "invertible_1x1_logdet"
CORRECT_W = "W = P @ L @ (U + torch.diag(s))"


def test_every_graded_case_agrees_with_slogdet_and_has_a_negative_scale():
    signs = set()
    for case in make_cases(seed=5):
        args = case["args"]
        W, log_det = invertible_1x1_logdet(*args.values())
        torch.testing.assert_close(W, args["P"] @ args["L"] @ (args["U"] + torch.diag(args["s"])))
        sign, logabsdet = torch.linalg.slogdet(W)
        torch.testing.assert_close(log_det, args["h"] * args["w"] * logabsdet, rtol=1e-12, atol=1e-10)
        assert (args["s"] < 0).any(), case["name"]  # log without abs gives nan on every case
        signs.add(sign.item())
    assert signs == {-1.0, 1.0}  # both orientations of W are graded


def test_log_det_is_that_of_the_conv2d_jacobian():
    args = make_cases(seed=5)[1]["args"]  # c = 2 on a 2 × 2 image
    W, log_det = invertible_1x1_logdet(*args.values())
    c, h, w = W.shape[0], args["h"], args["w"]

    def conv(flat):
        return F.conv2d(flat.reshape(1, c, h, w), W[:, :, None, None]).reshape(-1)

    jacobian = torch.autograd.functional.jacobian(conv, torch.randn(c * h * w, dtype=torch.float64))
    torch.testing.assert_close(log_det, torch.linalg.slogdet(jacobian).logabsdet, rtol=1e-12, atol=1e-12)


def test_log_of_the_absolute_product_passes(grade_text):
    source = f"""
import torch

def invertible_1x1_logdet(P, L, U, s, h, w):
    {CORRECT_W}
    return W, h * w * torch.log(torch.prod(s).abs())
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_log_det_as_a_python_float_is_a_type_failure(grade_text):
    source = f"""
import torch

def invertible_1x1_logdet(P, L, U, s, h, w):
    {CORRECT_W}
    return W, float(h * w * torch.log(torch.abs(s)).sum())
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "type"
    assert result.failure.mismatches[0].path == "[1]"


def test_determinant_method_on_a_tensor_breaks_the_rule(grade_text):
    source = f"""
import torch

def invertible_1x1_logdet(P, L, U, s, h, w):
    {CORRECT_W}
    return W, h * w * W.det().abs().log()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert "no_determinant_routines" in result.message


def test_forgetting_h_w_is_named_and_seen_on_the_first_case(grade_text):
    source = f"""
import torch

def invertible_1x1_logdet(P, L, U, s, h, w):
    {CORRECT_W}
    return W, torch.sum(torch.log(torch.abs(s)))
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "forgot_hw"
    assert "h·w" in result.diagnosis["message"]
    assert result.failure.case.startswith("one channel")
