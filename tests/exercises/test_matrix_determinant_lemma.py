"""matrix_determinant_lemma: every graded case against slogdet of the updated matrix; what the cases
cover; alternative correct routes; the rule (static and runtime); return types."""

import torch

from solutions.matrix_determinant_lemma import _logabsdet

EXERCISE = "matrix_determinant_lemma"
FLOAT64_MAX_LOG = 709.78  # log of the largest float64


def graded_cases(course, grader):
    for case in grader.reference_cases(course.get(EXERCISE)):
        A, logdet_A, u, v = (torch.tensor(case.inputs[name].array) for name in ("A", "logdet_A", "u", "v"))
        yield case, A, logdet_A, u, v


def test_every_graded_case_matches_slogdet_of_the_updated_matrix(course, grader):
    for case, A, logdet_A, u, v in graded_cases(course, grader):
        torch.testing.assert_close(logdet_A, torch.linalg.slogdet(A).logabsdet, rtol=1e-12, atol=1e-12)
        oracle = torch.linalg.slogdet(A + torch.outer(u, v)).logabsdet
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle, rtol=1e-10, atol=1e-12)


def test_cases_cover_asymmetry_both_signs_and_overflow(course, grader):
    asymmetric_and_order_matters, det_signs, factor_signs, overflow = 0, set(), set(), 0
    for _, A, logdet_A, u, v in graded_cases(course, grader):
        right, transposed = v @ torch.linalg.solve(A, u), u @ torch.linalg.solve(A, v)
        asymmetric_and_order_matters += int(not torch.isclose(right, transposed, rtol=1e-3))
        det_signs.add(int(torch.linalg.slogdet(A).sign))
        factor_signs.add(int(torch.sign(1 + right)))
        overflow += int(logdet_A > FLOAT64_MAX_LOG)
    assert asymmetric_and_order_matters >= 5
    assert det_signs == {-1, 1} and factor_signs == {-1, 1}
    assert overflow >= 1


def test_the_hand_written_logabsdet_of_the_case_generator_matches_slogdet():
    gen = torch.Generator().manual_seed(0)
    for D in (1, 2, 5, 7):
        A = torch.randn(D, D, dtype=torch.float64, generator=gen)
        torch.testing.assert_close(_logabsdet(A), torch.linalg.slogdet(A).logabsdet, rtol=1e-12, atol=1e-12)
    permutation = torch.tensor([[0.0, 3.0], [2.0, 0.0]], dtype=torch.float64)  # needs a row swap
    torch.testing.assert_close(_logabsdet(permutation), torch.log(torch.tensor(6.0, dtype=torch.float64)))


def test_solving_with_the_transpose_for_v_passes(grade_text):
    # vᵀA⁻¹u = (A⁻ᵀv)ᵀu: the other solve, equally valid.
    source = """
import torch

def logdet_rank_one_update(A, logdet_A, u, v):
    w = torch.linalg.solve(A.T, v)
    return logdet_A + (1 + torch.dot(w, u)).abs().log()
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_an_explicit_inverse_passes(grade_text):
    source = """
import torch

def logdet_rank_one_update(A, logdet_A, u, v):
    return logdet_A + torch.log(torch.abs(1 + v @ torch.linalg.inv(A) @ u))
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_the_determinant_method_breaks_the_rule(grade_text):
    source = """
import torch

def logdet_rank_one_update(A, logdet_A, u, v):
    return (A + torch.outer(u, v)).det().abs().log()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert "use_the_lemma" in result.message and "torch.Tensor.det" in result.message


def test_an_lu_factorisation_reached_through_getattr_breaks_the_rule(grade_text):
    """The static scan folds the constant name; tests/engine/test_rule_traps.py covers the run-time trap."""
    source = """
import torch

def logdet_rank_one_update(A, logdet_A, u, v):
    factor = getattr(torch.linalg, "lu_" + "factor")
    LU, _ = factor(A + torch.outer(u, v))
    return LU.diagonal().abs().log().sum()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert "use_the_lemma" in result.message and "torch.linalg.lu_factor" in result.message


def test_a_python_float_is_rejected_as_a_type_error(grade_text):
    source = """
import torch

def logdet_rank_one_update(A, logdet_A, u, v):
    return float(logdet_A + torch.log(torch.abs(1 + v @ torch.linalg.solve(A, u))))
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "type"
