"""gan_js_at_optimum: the reference against V(G, D*) computed on discrete densities; answer forms; feedback."""

from pathlib import Path

import pytest
import torch

from tests.exercises.symbolic_reference import value_at

EXERCISE = "gan_js_at_optimum"
REPO = Path(__file__).resolve().parents[2]


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


@pytest.mark.parametrize("answer", [
    "C(G) = 2(JS − ln 2)",
    r"-\log 4 + 2\,\mathrm{JS}",
    r"\operatorname{JSD} \cdot 2 - \log(2) - \log(2)",
])
def test_equivalent_forms_pass(grade_text, answer):
    result = grade_text(EXERCISE, answer)
    assert result.status == "pass", (answer, result.message)


def test_an_unlisted_wrong_answer_fails_without_a_diagnosis(grade_text):
    result = grade_text(EXERCISE, "-log(4) + 4*JS")
    assert result.status == "fail"
    assert result.diagnosis is None


def test_a_single_log_two_is_explained_with_the_check_at_d_equal_half(grade_text):
    result = grade_text(EXERCISE, r"2\mathrm{JS} - \ln 2")
    assert result.diagnosis["id"] == "one_log_two"
    assert "V = log ½ + log ½ = −log 4" in result.diagnosis["message"]


def test_the_divergence_written_with_its_arguments_is_an_error_naming_them(grade_text):
    result = grade_text(EXERCISE, "-log(4) + 2*JS(p_d, p_g)")
    assert result.status == "error"
    assert "Unknown symbol 'p_d'" in result.message
