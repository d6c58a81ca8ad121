"""bce_logit_gradient: the reference against autograd of BCE-with-logits.
(Answer forms and feedback: `examples:` in exercises/bce_logit_gradient.yaml.)"""

from pathlib import Path

import pytest
import sympy
import torch
import torch.nn.functional as F

EXERCISE = "bce_logit_gradient"
REFERENCE = (Path(__file__).resolve().parents[2] / "solutions" / f"{EXERCISE}.txt").read_text().strip()


@pytest.mark.parametrize("z, y", [(0.0, 1.0), (2.5, 0.0), (-1.3, 0.3), (40.0, 0.7), (-700.0, 1.0)])
def test_reference_matches_autograd_of_bce_with_logits(z, y):
    z_sym, y_sym = sympy.symbols("z y")
    logistic = sympy.Lambda(z_sym, 1 / (1 + sympy.exp(-z_sym)))
    expr = sympy.sympify(REFERENCE, locals={"sigma": logistic, "z": z_sym, "y": y_sym})
    value = float(expr.subs({z_sym: z, y_sym: y}).evalf(30))
    logit = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(logit, torch.tensor(y, dtype=torch.float64)),
                                  logit)
    assert value == pytest.approx(grad.item(), rel=1e-12, abs=1e-300)
