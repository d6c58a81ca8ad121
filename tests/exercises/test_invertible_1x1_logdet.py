"""invertible_1x1_logdet: the reference against slogdet and a conv2d Jacobian.
(Other correct styles, rules and feedback: `examples:` in exercises/invertible_1x1_logdet.yaml.)"""

import torch
import torch.nn.functional as F

from solutions.invertible_1x1_logdet import invertible_1x1_logdet, make_cases


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
