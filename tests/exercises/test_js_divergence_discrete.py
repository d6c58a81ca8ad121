"""js_divergence_discrete: every graded case against an entropy-form oracle from torch.distributions; what
the cases cover; symmetry and bounds.
(Other correct styles, rules and feedback: `examples:` in exercises/js_divergence_discrete.yaml.)"""

import math

import torch
from torch.distributions import Categorical

from solutions.js_divergence_discrete import js_divergence

EXERCISE = "js_divergence_discrete"


def graded_cases(course, grader):
    for case in grader.reference_cases(course.get(EXERCISE)):
        yield case, torch.tensor(case.inputs["p"].array), torch.tensor(case.inputs["q"].array)


def entropy(probs):
    return Categorical(probs=probs).entropy()


def test_every_graded_case_matches_the_entropy_form(course, grader):
    # JS(p ‖ q) = H(m) − ½H(p) − ½H(q): a different formula, with torch's own 0·log 0 handling.
    for case, p, q in graded_cases(course, grader):
        oracle = entropy(0.5 * (p + q)) - 0.5 * entropy(p) - 0.5 * entropy(q)
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle, rtol=1e-9, atol=1e-12)


def test_cases_cover_zeros_batch_shapes_and_both_bounds(course, grader):
    batch_ranks, with_zeros, values = set(), 0, []
    for case, p, q in graded_cases(course, grader):
        batch_ranks.add(p.dim() - 1)
        with_zeros += int(bool((p == 0).any() or (q == 0).any()))
        values.append(torch.tensor(case.expected.array).flatten())
    values = torch.cat(values)
    assert batch_ranks == {0, 1, 2}
    assert with_zeros >= 5
    assert (values == 0).any() and torch.isclose(values, torch.tensor(math.log(2), dtype=torch.float64)).any()


def test_reference_is_symmetric_and_bounded_by_log_2():
    gen = torch.Generator().manual_seed(1)
    p, q = torch.rand(2, 50, 6, generator=gen, dtype=torch.float64).unbind(0)
    p, q = p / p.sum(-1, keepdim=True), q / q.sum(-1, keepdim=True)
    torch.testing.assert_close(js_divergence(p, q), js_divergence(q, p), rtol=1e-14, atol=0.0)
    assert ((js_divergence(p, q) > 0) & (js_divergence(p, q) < math.log(2))).all()
