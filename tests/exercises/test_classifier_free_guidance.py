"""classifier_free_guidance: the reference against the implicit-classifier score it stands for (autograd)
and the scale convention.
(Other correct styles, rules and feedback: `examples:` in exercises/classifier_free_guidance.yaml.)"""

import pytest
import torch

from solutions.classifier_free_guidance import cfg

EXERCISE = "classifier_free_guidance"


def gaussian_log_density(z, mean, std):
    return (-0.5 * ((z - mean) / std) ** 2).sum()


@pytest.mark.parametrize("w", [0.0, 0.5, 2.0, 7.0])
def test_reference_is_the_score_of_p_z_given_c_times_p_c_given_z_to_the_w(w):
    """Ho & Salimans, sec. 3.2: ε̃ = −σ ∇_z [log p(z|c) + w log p_i(c|z)] with p_i(c|z) ∝ p(z|c) / p(z)."""
    sigma = 0.7
    z = torch.tensor([0.3, -1.1, 2.0], dtype=torch.float64, requires_grad=True)
    mean_c, std_c = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64), 0.8
    mean_u, std_u = torch.zeros(3, dtype=torch.float64), 1.5

    def eps(log_density):
        (grad,) = torch.autograd.grad(log_density(z), z)
        return -sigma * grad

    eps_cond = eps(lambda v: gaussian_log_density(v, mean_c, std_c))
    eps_uncond = eps(lambda v: gaussian_log_density(v, mean_u, std_u))
    implicit_classifier = lambda v: gaussian_log_density(v, mean_c, std_c) - gaussian_log_density(v, mean_u, std_u)
    guided = eps(lambda v: gaussian_log_density(v, mean_c, std_c) + w * implicit_classifier(v))
    torch.testing.assert_close(cfg(eps_cond, eps_uncond, w), guided, rtol=1e-12, atol=1e-12)


def test_reference_equals_the_scale_form_with_s_equal_one_plus_w():
    gen = torch.Generator().manual_seed(3)
    eps_cond, eps_uncond = torch.randn(2, 4, 5, dtype=torch.float64, generator=gen)
    for w in (0.0, 1.0, 6.5):
        s = 1 + w
        torch.testing.assert_close(cfg(eps_cond, eps_uncond, w), eps_uncond + s * (eps_cond - eps_uncond))


def test_a_sign_error_on_the_unconditional_term_fails_without_a_false_diagnosis(grade_text):
    source = "def cfg(eps_cond, eps_uncond, w):\n    return (1 + w) * eps_cond + w * eps_uncond\n"
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis is None
    agree = next(t for t in result.tests if t.name.startswith("the two predictions agree"))
    assert agree.status == "fail"  # weights summing to 1 + 2w change even identical predictions


def test_public_cases_try_no_dimension_and_four(course, grader):
    # "any shape": a 0-d tensor and an image-like (B, C, H, W) batch are both public cases.
    ranks = {len(c.inputs["eps_cond"].shape) for c in grader.reference_cases(course.get(EXERCISE)) if not c.hidden}
    assert {0, 1, 3, 4} <= ranks
