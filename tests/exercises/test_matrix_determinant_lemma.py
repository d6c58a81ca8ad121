"""matrix_determinant_lemma: every graded case against slogdet of the updated matrix; what the cases cover.
(Other correct styles, rules and feedback: `examples:` in exercises/matrix_determinant_lemma.yaml.)"""

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
