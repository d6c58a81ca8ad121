"""affine_coupling: the reference against autograd Jacobians and round trips; the graded splits include
uneven ones.
(Other correct styles, rules and feedback: `examples:` in exercises/affine_coupling.yaml.)"""

import torch

from solutions.affine_coupling import affine_coupling, make_cases


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
