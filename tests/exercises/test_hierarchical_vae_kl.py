"""hierarchical_vae_kl: the reference against torch.distributions and a Monte-Carlo estimate of the joint
KL.
(Other correct styles, rules and feedback: `examples:` in exercises/hierarchical_vae_kl.yaml.)"""

import torch
from torch.distributions import Normal, kl_divergence

from solutions.hierarchical_vae_kl import hierarchical_vae_kl

EXERCISE = "hierarchical_vae_kl"
ARG_NAMES = ("mu1", "logvar1", "mu2", "logvar2", "eps2", "W_mu", "b_mu", "W_lv", "b_lv")


def normal(mu, logvar):
    return Normal(mu, (0.5 * logvar).exp())


def oracle(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    z2 = mu2 + (0.5 * logvar2).exp() * eps2
    prior_z1 = normal(z2 @ W_mu.T + b_mu, z2 @ W_lv.T + b_lv)
    return {"kl_top": kl_divergence(normal(mu2, logvar2), Normal(0.0, 1.0)).sum(-1),
            "kl_bottom": kl_divergence(normal(mu1, logvar1), prior_z1).sum(-1)}


def test_every_graded_case_matches_torch_distributions(course, grader):
    for case in grader.reference_cases(course.get(EXERCISE)):
        expected = oracle(*(torch.tensor(case.inputs[name].array) for name in ARG_NAMES))
        for key in ("kl_top", "kl_bottom"):
            torch.testing.assert_close(torch.tensor(case.expected[key].array), expected[key],
                                       rtol=1e-12, atol=1e-12, msg=f"{case.name}: {key}")


def test_the_two_terms_add_up_to_the_joint_kl_in_expectation():
    """KL_top + E_{z₂}[KL_bottom] = E_q[log q(z₁|x) q(z₂|x) − log p(z₁|z₂) p(z₂)], sampled jointly."""
    gen = torch.Generator().manual_seed(3)
    mu1, logvar1 = torch.randn(2, 1, 2, dtype=torch.float64, generator=gen) * 0.5
    mu2, logvar2 = torch.randn(2, 1, 3, dtype=torch.float64, generator=gen) * 0.5
    W_mu, W_lv = torch.randn(2, 2, 3, dtype=torch.float64, generator=gen) * 0.4
    b_mu, b_lv = torch.randn(2, 2, dtype=torch.float64, generator=gen) * 0.3
    n = 200_000
    eps2 = torch.randn(n, 3, dtype=torch.float64, generator=gen)
    kl = hierarchical_vae_kl(mu1.expand(n, 2), logvar1.expand(n, 2), mu2.expand(n, 3), logvar2.expand(n, 3),
                             eps2, W_mu, b_mu, W_lv, b_lv)
    decomposed = kl["kl_top"].mean() + kl["kl_bottom"].mean()

    z2 = mu2 + (0.5 * logvar2).exp() * eps2
    z1 = mu1 + (0.5 * logvar1).exp() * torch.randn(n, 2, dtype=torch.float64, generator=gen)
    log_q = normal(mu1, logvar1).log_prob(z1).sum(-1) + normal(mu2, logvar2).log_prob(z2).sum(-1)
    log_p = normal(z2 @ W_mu.T + b_mu, z2 @ W_lv.T + b_lv).log_prob(z1).sum(-1) + Normal(0.0, 1.0).log_prob(z2).sum(-1)
    joint = (log_q - log_p).mean()
    assert abs(decomposed - joint) < 0.02


def test_first_case_is_the_hand_computation_in_its_name(course, grader):
    first = grader.reference_cases(course.get(EXERCISE))[0]
    # Top: ½(0.25 + 1 − 1 − 0). Bottom: q = N(1, 1) against N(2, 4): ½(log 4 + (1 + 1)/4 − 1).
    assert first.expected["kl_top"].array.tolist() == [0.125]
    torch.testing.assert_close(torch.tensor(first.expected["kl_bottom"].array),
                               0.5 * (torch.tensor([4.0], dtype=torch.float64).log() - 0.5))


def test_a_standard_normal_prior_for_z1_is_named_and_only_kl_bottom_is_wrong(grade_text):
    source = """
import torch

def hierarchical_vae_kl(mu1, logvar1, mu2, logvar2, eps2, W_mu, b_mu, W_lv, b_lv):
    def kl_std(mu, logvar):
        return 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(-1)
    return {"kl_top": kl_std(mu2, logvar2), "kl_bottom": kl_std(mu1, logvar1)}
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "bottom_prior_standard_normal"
    assert [m.path for m in result.failure.mismatches] == ["kl_bottom"]
    passed = [t.name for t in result.tests if t.status == "pass"]
    assert passed == ["prior network ignores z₂ (W = 0, b = 0): p(z₁|z₂) = N(0, I)"]


def test_the_two_terms_returned_under_each_others_key_are_named(grade_text, redteam_source):
    result = grade_text(EXERCISE, redteam_source(EXERCISE, "bad_keys_swapped"))
    assert result.status == "fail"
    assert result.diagnosis["id"] == "terms_swapped"
    assert [m.path for m in result.failure.mismatches] == ["kl_top", "kl_bottom"]
