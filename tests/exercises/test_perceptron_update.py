"""perceptron_update: the reference obeys the perceptron convergence theorem; graded cases are well formed.
(Other correct styles, rules and feedback: `examples:` in exercises/perceptron_update.yaml.)"""

import torch

from solutions.perceptron_update import perceptron

EXERCISE = "perceptron_update"


def separable_data(N, D, seed, margin=0.2):
    gen = torch.Generator().manual_seed(seed)
    teacher = torch.randn(D + 1, generator=gen, dtype=torch.float64)
    X = torch.cat([torch.randn(4 * N, D, generator=gen, dtype=torch.float64),
                   torch.ones(4 * N, 1, dtype=torch.float64)], dim=1)
    scores = X @ teacher / teacher.norm()
    keep = scores.abs() > margin  # a guaranteed margin for Novikoff's bound
    X, scores = X[keep][:N], scores[keep][:N]
    return X, torch.where(scores > 0, 1.0, -1.0).to(torch.float64), teacher / teacher.norm()


def test_converges_on_separable_data_within_novikoffs_bound():
    for seed in range(5):
        X, y, unit_teacher = separable_data(30, 2, seed)
        w, updates = perceptron(torch.zeros(3, dtype=torch.float64), X, y, 1.0, 200)
        assert (y * (X @ w) > 0).all(), seed
        gamma = (y * (X @ unit_teacher)).min()
        radius = X.norm(dim=1).max()
        assert updates <= (radius / gamma) ** 2, seed
        # a converged perceptron is a fixed point: one more epoch changes nothing
        w_again, more_updates = perceptron(w, X, y, 1.0, 1)
        assert more_updates == 0 and torch.equal(w_again, w), seed


def test_reference_leaves_its_input_alone_and_returns_a_python_int():
    w0 = torch.zeros(3, dtype=torch.float64)
    X = torch.tensor([[1.0, 2.0, 1.0], [-1.0, 0.0, 1.0]], dtype=torch.float64)
    w, updates = perceptron(w0, X, torch.tensor([1.0, -1.0], dtype=torch.float64), 1.0, 3)
    assert torch.equal(w0, torch.zeros(3, dtype=torch.float64))
    assert type(updates) is int and updates >= 1


def test_graded_cases_are_well_formed_and_include_a_zero_start(course, grader):
    starts_at_zero = 0
    for case in grader.reference_cases(course.get(EXERCISE)):
        X, y, w = (torch.tensor(case.inputs[k].array) for k in ("X", "y", "w"))
        assert torch.equal(X[:, -1], torch.ones(X.shape[0], dtype=torch.float64)), case.name
        assert set(y.tolist()) <= {-1.0, 1.0} and w.shape == (X.shape[1],), case.name
        assert type(case.inputs["epochs"]) is int and type(case.expected[1]) is int, case.name
        starts_at_zero += int(not w.any())
    assert starts_at_zero >= 3
