"""reparam_gradient: the reference against autograd and against the exact gradient.
(Other correct styles, rules and feedback: `examples:` in exercises/reparam_gradient.yaml.)"""

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
