"""bce_logit_gradient: the reference against autograd of BCE-with-logits.
(Answer forms and feedback: `examples:` in exercises/bce_logit_gradient.yaml.)"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sympy
import torch
import torch.nn.functional as F

from dlcheck.grading import answer_from_file, grade_symbolic

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


EQUIVALENT = {
    "plain with a prefix": ("dL/dz = sigma(z) - y", ".txt"),
    "unicode": ("σ(z) − y", ".txt"),
    "exp, LaTeX": (r"\frac{1}{1+e^{-z}} - y", ".txt"),
    "p for sigma(z)": ("p - y", ".txt"),
    "unsimplified chain rule": ("-(y*(1 - sigma(z)) - (1 - y)*sigma(z))", ".txt"),
    ".tex file with a comment": ("% w.r.t. the logit\n\\frac{\\partial L}{\\partial z} = \\sigma(z) - y\n", ".tex"),
}
WRONG = {
    "dL/dp": (r"\frac{p - y}{p(1 - p)}", ".txt"),
    "unlisted": ("sigma(z) - y^2", ".txt"),
    "unknown symbol": ("q - y", ".txt"),
}


@pytest.fixture(scope="module")
def results(course):
    """Every answer judged once, two worker processes at a time (each one imports sympy)."""
    spec = course.get(EXERCISE)

    def judge(item):
        text, suffix = item
        return grade_symbolic(course, spec, answer_from_file(text, suffix), f"{EXERCISE}{suffix}")

    answers = {**EQUIVALENT, **WRONG}
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(answers, pool.map(judge, answers.values())))
