"""actnorm_logdet: the reference against the log-determinant of an autograd Jacobian of ActNorm.
(Other correct styles, rules and feedback: `examples:` in exercises/actnorm_logdet.yaml.)"""

import pytest
import torch

from tests.exercises.symbolic_reference import value_at

EXERCISE = "actnorm_logdet"


@pytest.fixture(scope="module")
def reference_log_det():
    """The instructor's answer, read by the grader's own parser, as a function of h, w, c, s."""
    return lambda *point: float(value_at(EXERCISE, **dict(zip("hwcs", point))))


def actnorm_log_abs_det(h, w, c, s):
    """log |det ∂y/∂x| of y_{i,j} = s ⊙ x_{i,j} + b on an h × w × c tensor, from autograd."""
    scale = torch.full((c,), s, dtype=torch.float64)
    bias = torch.linspace(-1.0, 1.0, c, dtype=torch.float64)

    def actnorm(flat):
        return (flat.reshape(h, w, c) * scale + bias).reshape(-1)

    jacobian = torch.autograd.functional.jacobian(actnorm, torch.randn(h * w * c, dtype=torch.float64))
    return torch.linalg.slogdet(jacobian).logabsdet.item()


@pytest.mark.parametrize("h, w, c, s", [(2, 3, 2, 1.7), (1, 4, 3, 0.4), (3, 3, 1, 2.5)])
def test_reference_matches_the_log_determinant_of_the_autograd_jacobian(reference_log_det, h, w, c, s):
    assert reference_log_det(h, w, c, s) == pytest.approx(actnorm_log_abs_det(h, w, c, s), rel=1e-12)
