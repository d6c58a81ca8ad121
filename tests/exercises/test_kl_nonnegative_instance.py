"""kl_nonnegative_instance: the reference against torch.distributions, Gibbs' inequality on a grid, the
claims the mistake messages make.
(Other correct styles, rules and feedback: `examples:` in exercises/kl_nonnegative_instance.yaml.)"""

from pathlib import Path

import pytest
from sympy import Rational
import torch
from torch.distributions import Bernoulli, kl_divergence

from dlcheck.spec import load_spec
from tests.exercises.symbolic_reference import expression

EXERCISE = "kl_nonnegative_instance"
REPO = Path(__file__).resolve().parents[2]
GRID = [Rational(i, 20) for i in range(1, 20)]  # exact, so that KL(p ‖ p) is exactly 0


def as_function(text):
    """An expression in p, q (read by the grader's own parser) as a Python function of two floats."""
    expr, table = expression(EXERCISE, text)
    return lambda p, q: float(expr.subs({table.lookup("p"): p, table.lookup("q"): q}).evalf(30))


def mistake_function(mistake_id):
    spec = load_spec(REPO / "exercises" / f"{EXERCISE}.yaml")
    return as_function(next(m.expr for m in spec.mistakes if m.id == mistake_id))


@pytest.fixture(scope="module")
def reference():
    return as_function((REPO / "solutions" / f"{EXERCISE}.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("p, q", [(0.5, 0.25), (0.9, 0.1), (0.03, 0.6), (0.4, 0.4)])
def test_reference_matches_torch_distributions(reference, p, q):
    oracle = kl_divergence(Bernoulli(probs=torch.tensor(p, dtype=torch.float64)),
                           Bernoulli(probs=torch.tensor(q, dtype=torch.float64)))
    assert reference(p, q) == pytest.approx(oracle.item(), rel=1e-12, abs=1e-15)


def test_reference_obeys_gibbs_inequality_on_a_grid(reference):
    for p in GRID:
        assert reference(p, p) == 0.0
        assert all(reference(p, q) > 0 for q in GRID if q != p)


def test_mistake_messages_tell_the_truth_about_signs():
    flipped, from_q, only_x1 = (mistake_function(m) for m in
                                ("flipped_log_ratio", "weights_from_q", "missing_complement_term"))
    pairs = [(p, q) for p in GRID for q in GRID if p != q]
    assert all(flipped(p, q) < 0 for p, q in pairs)  # "that is −KL(p ‖ q)"
    assert all(from_q(p, q) < 0 for p, q in pairs)   # "−KL(q ‖ p), never positive"
    assert only_x1(0.2, 0.7) < 0                      # "can be negative (take p < q)"
