"""change_of_variables_integral: the reference against torch's LogNormal and an ExpTransform of a Normal;
total mass (and the claim the missing-Jacobian message makes).
(Other correct styles, rules and feedback: `examples:` in exercises/change_of_variables_integral.yaml.)"""

import math
from pathlib import Path

import pytest
from sympy import lambdify
import torch
from torch.distributions import LogNormal, Normal, TransformedDistribution
from torch.distributions.transforms import ExpTransform

from dlcheck.spec import load_spec
from tests.exercises.symbolic_reference import expression

EXERCISE = "change_of_variables_integral"
REPO = Path(__file__).resolve().parents[2]


def density(text):
    """An expression in y, mu, sigma (read by the grader's own parser) as a float function of (y, mu, sigma)."""
    expr, table = expression(EXERCISE, text)
    return lambdify([table.lookup(name) for name in ("y", "mu", "sigma")], expr, modules="math")


def reference():
    return density((REPO / "solutions" / f"{EXERCISE}.txt").read_text(encoding="utf-8"))


def mass(p_y, mu, sigma):
    """∫₀^∞ p_y(y) dy, integrated over x = log y (dy = y dx) on a wide grid."""
    xs = torch.linspace(mu - 12 * sigma, mu + 12 * sigma, 4001, dtype=torch.float64)
    values = torch.tensor([p_y(math.exp(x), mu, sigma) * math.exp(x) for x in xs.tolist()], dtype=torch.float64)
    return torch.trapezoid(values, xs).item()


@pytest.mark.parametrize("y, mu, sigma", [(1.0, 0.0, 1.0), (0.2, -1.0, 0.5), (7.5, 1.3, 2.0)])
def test_reference_matches_torch_lognormal_and_exp_of_a_normal(y, mu, sigma):
    at = torch.tensor(y, dtype=torch.float64)
    loc, scale = torch.tensor(mu, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64)
    pushed = TransformedDistribution(Normal(loc, scale), [ExpTransform()])
    assert reference()(y, mu, sigma) == pytest.approx(LogNormal(loc, scale).log_prob(at).exp().item(), rel=1e-12)
    assert reference()(y, mu, sigma) == pytest.approx(pushed.log_prob(at).exp().item(), rel=1e-12)


def test_reference_has_unit_mass_and_the_missing_jacobian_has_the_mass_its_message_names():
    mu, sigma = 0.4, 0.7
    assert mass(reference(), mu, sigma) == pytest.approx(1.0, rel=1e-8)
    spec = load_spec(REPO / "exercises" / f"{EXERCISE}.yaml")
    no_jacobian = density(next(m.expr for m in spec.mistakes if m.id == "missing_jacobian"))
    assert mass(no_jacobian, mu, sigma) == pytest.approx(math.exp(mu + sigma ** 2 / 2), rel=1e-8)
