"""pca_shape_model: the reference against an eigendecomposition of the covariance and the least-squares
projection; the cases are well posed; a mistake diagnosed across errors and wrong values.
(Other correct styles, rules and feedback: `examples:` in exercises/pca_shape_model.yaml.)"""

import torch

from solutions.pca_shape_model import MIN_GAP, largest_entry_positive, pca_shape

EXERCISE = "pca_shape_model"


def graded_cases(course, grader):
    for case in grader.reference_cases(course.get(EXERCISE)):
        X, new_shape = torch.tensor(case.inputs["X"].array), torch.tensor(case.inputs["new_shape"].array)
        expected = {key: torch.tensor(value.array) for key, value in case.expected.items()}
        yield case.name, X, case.inputs["k"], new_shape, expected


def test_every_graded_case_matches_the_covariance_eigenvectors_and_least_squares(course, grader):
    for name, X, k, new_shape, expected in graded_cases(course, grader):
        Xc = X - X.mean(0)
        _, vectors = torch.linalg.eigh(Xc.T @ Xc / (len(X) - 1))
        oracle = largest_entry_positive(vectors.flip(1)[:, :k].T)
        torch.testing.assert_close(expected["components"], oracle, rtol=1e-9, atol=1e-10, msg=name)
        torch.testing.assert_close(expected["components"] @ expected["components"].T,
                                   torch.eye(k, dtype=torch.float64), msg=name)
        # The reconstruction is the least-squares fit μ + Sᵀβ: its residual is orthogonal to every direction.
        coeffs = torch.linalg.lstsq(oracle.T, (new_shape - X.mean(0))[:, None]).solution[:, 0]
        torch.testing.assert_close(expected["coeffs"], coeffs, msg=name)
        residual = new_shape - expected["reconstruction"]
        assert (oracle @ residual).abs().max() < 1e-10, name


def test_the_cases_are_well_posed_and_cover_a_square_data_matrix(course, grader):
    square = 0
    for name, X, k, _, expected in graded_cases(course, grader):
        S = torch.linalg.svdvals(X - X.mean(0))
        assert all(S[i + 1] <= (1 - MIN_GAP) * S[i] for i in range(min(k, len(S) - 1))), name
        square += X.shape[0] == X.shape[1]
    assert square >= 2  # where U has the same shape as Vh, so the wrong side gives values, not an error


def test_a_training_shape_is_reconstructed_exactly_with_k_equal_n_minus_one():
    X = torch.randn(5, 9, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    out = pca_shape(X, 4, X[3])
    torch.testing.assert_close(out["reconstruction"], X[3], rtol=1e-12, atol=1e-12)


BUILD_MEAN = "    mean = X.mean(0)\n    Xc = X - mean\n"
FINISH = """    idx = comps.abs().argmax(dim=1)
    comps = comps * torch.sign(comps[torch.arange(k), idx])[:, None]
    coeffs = comps @ (new_shape - mean)
    return {"mean": mean, "components": comps, "coeffs": coeffs, "reconstruction": mean + coeffs @ comps}
"""

def test_left_singular_vectors_are_diagnosed_though_they_raise_when_n_differs_from_3v(grade_text):
    source = "import torch\n\ndef pca_shape(X, k, new_shape):\n" + BUILD_MEAN + """    U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
    comps = U[:, :k].T
""" + FINISH
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "left_singular_vectors"
    assert result.failure.case.startswith("three shapes of one vertex")  # N = 3V = 3: wrong values
    statuses = {t.status for t in result.tests}
    assert statuses == {"fail", "error"}  # wrong values where N = 3V, a shape error elsewhere
