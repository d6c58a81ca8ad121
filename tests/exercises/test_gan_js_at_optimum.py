"""gan_js_at_optimum: the reference against V(G, D*) computed on discrete densities.
(Other correct styles, rules and feedback: `examples:` in exercises/gan_js_at_optimum.yaml.)"""

import pytest
import torch

from tests.exercises.symbolic_reference import value_at

EXERCISE = "gan_js_at_optimum"


def reference_at(js: float) -> float:
    """The instructor's answer, read by the grader's own parser, at JS = js."""
    return float(value_at(EXERCISE, JS=js))


def entropy(p: torch.Tensor) -> torch.Tensor:
    return -(p * p.log()).sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_equals_the_value_at_the_optimal_discriminator(seed):
    gen = torch.Generator().manual_seed(seed)
    p_d, p_g = torch.rand(2, 7, dtype=torch.float64, generator=gen).softmax(dim=-1)
    d_star = p_d / (p_d + p_g)
    value = (p_d * d_star.log()).sum() + (p_g * (1 - d_star).log()).sum()
    # JS from entropies (independent of the KL form used in the statement): H(m) − ½H(p_d) − ½H(p_g).
    js = entropy((p_d + p_g) / 2) - entropy(p_d) / 2 - entropy(p_g) / 2
    assert reference_at(js.item()) == pytest.approx(value.item(), rel=1e-12)


def test_at_the_global_optimum_the_value_is_minus_log_4():
    p = torch.tensor([0.2, 0.5, 0.3], dtype=torch.float64)
    value = 2 * (p * torch.tensor(0.5, dtype=torch.float64).log()).sum()
    assert reference_at(0.0) == pytest.approx(value.item(), rel=1e-15)
