"""actnorm_logdet: the reference against an autograd Jacobian of ActNorm; answer forms; feedback."""

from pathlib import Path

import pytest
import torch

from dlcheck.spec import load_spec, to_data
from dlcheck.symbolic.parser import parse
from dlcheck.symbolic.table import build_table

EXERCISE = "actnorm_logdet"
REPO = Path(__file__).resolve().parents[2]


def reference_at(**values):
    """The instructor's answer (solutions/<id>.txt, read by the grader's own parser) at a point."""
    spec = load_spec(REPO / "exercises" / f"{EXERCISE}.yaml")
    table = build_table({"symbols": to_data(spec.symbols)})
    expr = parse((REPO / "solutions" / f"{EXERCISE}.txt").read_text(encoding="utf-8"), table)
    return float(expr.subs({table.lookup(name): value for name, value in values.items()}).evalf(30))


def actnorm_log_abs_det(h, w, c, s):
    """log |det ∂y/∂x| of y_{i,j} = s ⊙ x_{i,j} + b on an h × w × c tensor, from autograd."""
    scale = torch.full((c,), s, dtype=torch.float64)
    bias = torch.linspace(-1.0, 1.0, c, dtype=torch.float64)

    def actnorm(flat):
        return (flat.reshape(h, w, c) * scale + bias).reshape(-1)

    jacobian = torch.autograd.functional.jacobian(actnorm, torch.randn(h * w * c, dtype=torch.float64))
    return torch.linalg.slogdet(jacobian).logabsdet.item()


@pytest.mark.parametrize("h, w, c, s", [(2, 3, 2, 1.7), (1, 4, 3, 0.4), (3, 3, 1, 2.5)])
def test_reference_matches_the_log_determinant_of_the_autograd_jacobian(h, w, c, s):
    assert reference_at(h=h, w=w, c=c, s=s) == pytest.approx(actnorm_log_abs_det(h, w, c, s), rel=1e-12)


@pytest.mark.parametrize("answer", [
    r"h w c \log s",
    r"\log\left(s^{h w c}\right)",
    "hwc ln|s|",
])
def test_equivalent_forms_pass(grade_text, answer):
    assert grade_text(EXERCISE, answer).status == "pass"


def test_forgetting_the_spatial_positions_is_named(grade_text):
    result = grade_text(EXERCISE, r"c \ln s")
    assert result.diagnosis["id"] == "forgot_spatial"
    assert "h·w" in result.diagnosis["message"]


def test_an_unlisted_wrong_answer_fails_without_a_diagnosis(grade_text):
    result = grade_text(EXERCISE, "h*w*log(c*s)")
    assert result.status == "fail"
    assert result.diagnosis is None

