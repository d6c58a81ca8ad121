"""splat_covariance: the reference against rotating the axes with Hamilton products; symmetry, PSD and
eigenvalues s²; a per-Gaussian loop passes; feedback on the row-scaling broadcast bug."""

import torch

from solutions.splat_covariance import splat_covariance

EXERCISE = "splat_covariance"


def hamilton(a, b):
    w1, x1, y1, z1 = a
    w2, x2, y2, z2 = b
    return (w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2, w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2, w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2)


def rotate(q, v):
    """q v q* for a unit quaternion q (plain Python floats)."""
    conjugate = (q[0], -q[1], -q[2], -q[3])
    return hamilton(hamilton(q, (0.0, *v)), conjugate)[1:]


def covariance_oracle(q, s):
    """Σ = Σ_k s_k² a_k a_kᵀ with a_k = q e_k q*, the k-th principal axis."""
    norm = sum(c * c for c in q) ** 0.5
    unit = [c / norm for c in q]
    sigma = torch.zeros(3, 3, dtype=torch.float64)
    for k in range(3):
        axis = torch.tensor(rotate(unit, [float(k == j) for j in range(3)]), dtype=torch.float64)
        sigma += s[k] ** 2 * torch.outer(axis, axis)
    return sigma


def random_inputs(seed, n=16):
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(n, 4, generator=gen, dtype=torch.float64) * 3
    s = 0.1 + 2 * torch.rand(n, 3, generator=gen, dtype=torch.float64)
    return q, s


def test_reference_matches_rotating_the_axes_with_quaternion_products():
    q, s = random_inputs(0)
    expected = torch.stack([covariance_oracle(qi.tolist(), si.tolist()) for qi, si in zip(q, s)])
    torch.testing.assert_close(splat_covariance(q, s), expected, rtol=1e-12, atol=1e-14)


def test_covariances_are_symmetric_psd_with_eigenvalues_s_squared():
    q, s = random_inputs(1)
    sigma = splat_covariance(q, s)
    assert sigma.shape == (16, 3, 3) and sigma.dtype == torch.float64
    torch.testing.assert_close(sigma, sigma.transpose(-1, -2), rtol=0, atol=0)
    eigenvalues = torch.linalg.eigvalsh(sigma)
    assert (eigenvalues > 0).all()
    torch.testing.assert_close(eigenvalues, (s**2).sort(dim=-1).values, rtol=1e-10, atol=1e-12)


def test_the_quaternion_scale_and_sign_do_not_matter():
    q, s = random_inputs(2, n=4)
    torch.testing.assert_close(splat_covariance(q, s), splat_covariance(-7.5 * q, s), rtol=1e-12, atol=1e-14)


def test_a_loop_with_the_rodrigues_form_passes(grade_text):
    source = """
import torch

def splat_covariance(q, s):
    out = []
    for qi, si in zip(q, s):
        w, v = qi[0] / qi.norm(), qi[1:] / qi.norm()
        K = torch.zeros(3, 3, dtype=torch.float64)
        K[0, 1], K[0, 2], K[1, 2] = -v[2], v[1], -v[0]
        K = K - K.T
        R = torch.eye(3, dtype=torch.float64) + 2 * w * K + 2 * K @ K
        S = torch.diag(si)
        out.append(R @ S @ S.T @ R.T)
    return torch.stack(out)
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


STUDENT = """
import torch

def splat_covariance(q, s):
    UNPACK = (q / q.norm(dim=-1, keepdim=True)).unbind(-1)
    R = torch.stack([
        torch.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        torch.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        torch.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1)], -2)
    return COVARIANCE
"""


def student(unpack="w, x, y, z", covariance="R @ torch.diag_embed(s ** 2) @ R.transpose(1, 2)"):
    return STUDENT.replace("UNPACK", unpack).replace("COVARIANCE", covariance)


def test_the_statement_formula_passes(grade_text):
    assert grade_text(EXERCISE, student()).status == "pass"


def test_scaling_the_rows_is_named(grade_text):
    result = grade_text(EXERCISE, student(covariance="(s[:, :, None] * R) @ (s[:, :, None] * R).transpose(1, 2)"))
    assert result.diagnosis["id"] == "scaled_rows"
    assert [t.status for t in result.tests[:2]] == ["pass", "fail"]  # the identity rotation cannot tell


def test_a_scipy_style_xyzw_quaternion_is_named(grade_text):
    result = grade_text(EXERCISE, student(unpack="x, y, z, w"))
    assert result.diagnosis["id"] == "xyzw_order"
