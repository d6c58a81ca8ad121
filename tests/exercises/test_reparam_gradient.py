"""reparam_gradient: the reference against autograd and against the exact gradient; rule and alternatives."""

import torch

from solutions.reparam_gradient import reparam_gradient

EXERCISE = "reparam_gradient"
ARG_NAMES = ("mu", "logvar", "eps", "a", "b")


def autograd_estimate(mu, logvar, eps, a, b):
    """The same Monte-Carlo estimate, differentiated by autograd (allowed here, not for students)."""
    mu, logvar = mu.clone().requires_grad_(), logvar.clone().requires_grad_()
    z = mu + torch.exp(0.5 * logvar) * eps
    (a * z ** 2 + b * z).sum(dim=-1).mean().backward()
    return {"mu": mu.grad, "logvar": logvar.grad}


def test_every_graded_case_matches_autograd(course, grader):
    cases = grader.reference_cases(course.get(EXERCISE))
    sample_counts = set()
    for case in cases:
        args = [torch.tensor(case.inputs[name].array) for name in ARG_NAMES]
        oracle = autograd_estimate(*args)
        for key in ("mu", "logvar"):
            torch.testing.assert_close(torch.tensor(case.expected[key].array), oracle[key],
                                       rtol=1e-12, atol=1e-12, msg=f"{case.name}: {key}")
        sample_counts.add(args[2].shape[0])
    assert 1 in sample_counts and max(sample_counts) > 2


def test_first_case_is_the_hand_computation_in_its_name(course, grader):
    first = grader.reference_cases(course.get(EXERCISE))[0]
    # z = 1 + ½·2 = 2, ∂f/∂z = 2z = 4; ∂z/∂logvar = ε·½σ = 2·¼ = ½.
    assert first.expected["mu"].array.tolist() == [4.0]
    assert first.expected["logvar"].array.tolist() == [2.0]


def test_reference_estimate_converges_to_the_exact_gradient():
    gen = torch.Generator().manual_seed(0)
    mu, logvar, a, b = torch.randn(4, 3, dtype=torch.float64, generator=gen)
    eps = torch.randn(400_000, 3, dtype=torch.float64, generator=gen)
    estimate = reparam_gradient(mu, logvar, eps, a, b)
    # E[f(z)] = Σ a(μ² + σ²) + bμ, so ∂/∂μ = 2aμ + b and ∂/∂logvar = a·σ² = a·exp(logvar).
    torch.testing.assert_close(estimate["mu"], 2 * a * mu + b, rtol=0, atol=0.03)
    torch.testing.assert_close(estimate["logvar"], a * logvar.exp(), rtol=0, atol=0.03)


def test_a_loop_over_samples_with_math_passes(grade_text):
    source = """
import math
import torch

def reparam_gradient(mu, logvar, eps, a, b):
    grad_mu = torch.zeros_like(mu)
    grad_logvar = torch.zeros_like(logvar)
    for sample in eps:
        sigma = torch.exp(logvar / 2)
        df_dz = 2 * a * (mu + sigma * sample) + b
        grad_mu += df_dz
        grad_logvar += df_dz * sample * sigma / 2
    return {"mu": grad_mu / len(eps), "logvar": grad_logvar / len(eps)}
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_autograd_breaks_the_rule(grade_text):
    source = """
import torch

def reparam_gradient(mu, logvar, eps, a, b):
    mu, logvar = mu.clone().requires_grad_(), logvar.clone().requires_grad_()
    z = mu + torch.exp(0.5 * logvar) * eps
    g_mu, g_lv = torch.autograd.grad((a * z ** 2 + b * z).sum(-1).mean(), [mu, logvar])
    return {"mu": g_mu, "logvar": g_lv}
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert "no_autograd" in result.message


def test_a_tuple_instead_of_the_dict_fails(grade_text):
    source = """
import torch

def reparam_gradient(mu, logvar, eps, a, b):
    sigma = torch.exp(0.5 * logvar)
    g = 2 * a * (mu + sigma * eps) + b
    return g.mean(0), (g * eps).mean(0) * 0.5 * sigma
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis is None
    assert result.failure.mismatches[0].kind == "type"


def test_the_exact_gradient_is_named_with_both_outputs_wrong(grade_text):
    source = """
import torch

def reparam_gradient(mu, logvar, eps, a, b):
    return {"mu": 2 * a * mu + b, "logvar": a * torch.exp(logvar)}
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "analytic_gradient"
    assert "Monte-Carlo" in result.diagnosis["message"]
    assert {m.path for m in result.failure.mismatches} == {"mu", "logvar"}


def test_std_as_exp_logvar_is_named(grade_text):
    source = """
import torch

def reparam_gradient(mu, logvar, eps, a, b):
    sigma = torch.exp(logvar)
    g = 2 * a * (mu + sigma * eps) + b
    return {"mu": g.mean(0), "logvar": (g * eps).mean(0) * sigma}
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "std_is_exp_logvar"
    assert "exp(½·logvar)" in result.diagnosis["message"]
    # First case: the wrong σ = exp(logvar) = ¼ gives z = 1 + ¼·2 = 1.5 and ĝ_μ = 2z = 3 (not 4).
    first = result.failure.mismatches[0]
    assert result.failure.case.startswith("one sample")
    assert (first.path, first.worst["got"], first.worst["expected"]) == ("mu", 3.0, 4.0)
