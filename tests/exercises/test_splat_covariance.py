"""splat_covariance: the reference against rotating the axes with Hamilton products; symmetry, PSD and
eigenvalues s².
(Other correct styles, rules and feedback: `examples:` in exercises/splat_covariance.yaml.)"""

import torch

from solutions.splat_covariance import splat_covariance


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
