"""flow_change_of_variables: the reference against torch.distributions, alternative forms, feedback."""

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


def test_the_per_dimension_normal_density_of_x_passes(grade_text):
    # x_d ~ N(t_d, exp(s_d)²) independently: an equivalent closed form without an explicit inverse.
    source = """
import torch
from torch.distributions import Normal

def flow_log_likelihood(x, s, t):
    return Normal(t, torch.exp(s)).log_prob(x).sum(dim=-1)
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_float32_result_is_a_dtype_failure(grade_text):
    source = """
import math
import torch

def flow_log_likelihood(x, s, t):
    z = (x - t) * torch.exp(-s)
    out = -0.5 * (z ** 2).sum(-1) - 0.5 * x.shape[-1] * math.log(2 * math.pi) - s.sum()
    return out.float()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.failure.mismatches[0].kind == "dtype"


def test_forgotten_log_det_is_named_and_fails_first_on_the_scaled_case(grade_text):
    source = """
import math
import torch

def flow_log_likelihood(x, s, t):
    z = (x - t) / torch.exp(s)
    return -0.5 * (z * z).sum(-1) - x.shape[1] / 2 * math.log(2 * math.pi)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "no_log_det"
    assert "log-determinant" in result.diagnosis["message"]
    assert result.failure.case.startswith("scale 2 and shift 1")
    assert [t.status for t in result.tests][0] == "pass"  # s = 0: nothing to correct for


def test_an_unlisted_wrong_answer_fails_without_a_diagnosis(grade_text):
    source = """
import math
import torch

def flow_log_likelihood(x, s, t):
    z = (x - t) * torch.exp(-s)
    return -0.5 * (z ** 2).sum(-1) - 0.5 * x.shape[-1] * math.log(2 * math.pi) - 2 * s.sum()
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis is None
