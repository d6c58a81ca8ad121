"""flow_change_of_variables: the reference against torch.distributions; it integrates to one.
(Other correct styles, rules and feedback: `examples:` in exercises/flow_change_of_variables.yaml.)"""

import torch
from torch.distributions import AffineTransform, Independent, Normal, TransformedDistribution

from solutions.flow_change_of_variables import flow_log_likelihood

EXERCISE = "flow_change_of_variables"


def oracle_log_likelihood(x, s, t):
    base = Independent(Normal(torch.zeros_like(s), torch.ones_like(s)), 1)
    flow = TransformedDistribution(base, [AffineTransform(loc=t, scale=torch.exp(s), event_dim=1)])
    return flow.log_prob(x)


def test_every_graded_case_matches_a_torch_transformed_distribution(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    dims = set()
    for case in cases:
        x, s, t = (torch.tensor(case.inputs[name].array) for name in ("x", "s", "t"))
        expected = torch.tensor(case.expected.array)
        torch.testing.assert_close(expected, oracle_log_likelihood(x, s, t), rtol=1e-12, atol=1e-12)
        dims.add(x.shape[-1])
    assert 1 in dims and max(dims) >= 3  # the D·log(2π)/2 constant is graded for several D


def test_reference_integrates_to_one_in_one_dimension():
    s, t = torch.tensor([0.4], dtype=torch.float64), torch.tensor([-0.3], dtype=torch.float64)
    grid = torch.linspace(-15.0, 15.0, 30001, dtype=torch.float64)
    density = flow_log_likelihood(grid[:, None], s, t).exp()
    assert abs(torch.trapezoid(density, grid).item() - 1.0) < 1e-9
