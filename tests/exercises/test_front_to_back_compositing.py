"""front_to_back_compositing: the reference against back-to-front 'over' compositing and NeRF's volume
rendering; conservation of light; loop and over-operator submissions; feedback."""

import torch

from solutions.front_to_back_compositing import composite_front_to_back
from solutions.volume_rendering_weights import volume_rendering_weights

EXERCISE = "front_to_back_compositing"


def random_splats(seed, P=5, G=7):
    gen = torch.Generator().manual_seed(seed)
    alphas = 0.99 * torch.rand(P, G, generator=gen, dtype=torch.float64)
    return alphas, torch.rand(G, 3, generator=gen, dtype=torch.float64)


def test_reference_equals_back_to_front_over_compositing():
    alphas, colors = random_splats(0)
    color = torch.zeros(alphas.shape[0], 3, dtype=torch.float64)
    for i in reversed(range(alphas.shape[1])):  # C ← α_i c_i + (1 − α_i) C, farthest first
        color = alphas[:, i, None] * colors[i] + (1 - alphas[:, i, None]) * color
    C, T_final = composite_front_to_back(alphas, colors)
    torch.testing.assert_close(C, color, rtol=1e-13, atol=1e-15)
    torch.testing.assert_close(T_final, torch.log1p(-alphas).sum(dim=-1).exp(), rtol=1e-13, atol=1e-15)


def test_reference_agrees_with_nerf_volume_rendering():
    """Splats with α_i = 1 − exp(−σ_i δ_i) composite exactly like NeRF's samples."""
    gen = torch.Generator().manual_seed(1)
    sigma = 3 * torch.rand(4, 6, generator=gen, dtype=torch.float64)
    t = torch.cat([torch.zeros(4, 1), torch.rand(4, 6, generator=gen).cumsum(-1)], dim=-1).double()
    colors = torch.rand(6, 3, generator=gen, dtype=torch.float64)
    alphas = 1 - torch.exp(-sigma * t.diff(dim=-1))
    _, nerf_color = volume_rendering_weights(sigma, t, colors.expand(4, 6, 3))
    torch.testing.assert_close(composite_front_to_back(alphas, colors)[0], nerf_color, rtol=1e-12, atol=1e-14)


def test_absorbed_and_transmitted_light_add_up_to_one():
    alphas, _ = random_splats(2)
    C, T_final = composite_front_to_back(alphas, torch.ones(alphas.shape[1], 3, dtype=torch.float64))
    torch.testing.assert_close(C[:, 0] + T_final, torch.ones_like(T_final), rtol=0, atol=1e-14)
    assert C.shape == (5, 3) and T_final.shape == (5,) and C.dtype == T_final.dtype == torch.float64


def test_a_loop_with_a_running_transmittance_passes(grade_text):
    source = """
import torch

def composite_front_to_back(alphas, colors):
    T = torch.ones(alphas.shape[0], dtype=torch.float64)
    C = torch.zeros(alphas.shape[0], 3, dtype=torch.float64)
    for i in range(alphas.shape[1]):
        C += (T * alphas[:, i])[:, None] * colors[i]
        T = T * (1 - alphas[:, i])
    return C, T
"""
    assert grade_text(EXERCISE, source).status == "pass"


def test_the_over_operator_applied_from_the_front_is_named_back_to_front(grade_text):
    source = """
import torch

def composite_front_to_back(alphas, colors):
    C = torch.zeros(alphas.shape[0], 3, dtype=torch.float64)
    for i in range(alphas.shape[1]):
        C = alphas[:, i, None] * colors[i] + (1 - alphas[:, i, None]) * C
    return C, torch.prod(1 - alphas, dim=-1)
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "back_to_front"
    assert [m.path for m in result.failure.mismatches] == ["[0]"]  # T_final does not depend on the order


def test_the_inclusive_cumprod_is_named(grade_text):
    source = """
import torch

def composite_front_to_back(alphas, colors):
    T = torch.cumprod(1 - alphas, dim=-1)
    return (T * alphas) @ colors, T[:, -1]
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "inclusive_transmittance"
    assert result.tests[0].status == "fail"


def test_the_3dgs_early_exit_fails_on_the_case_where_T_gets_small(grade_text):
    """The statement says 'no early termination when T gets small': the CUDA rasteriser's exit at T < 10⁻⁴."""
    source = """
import torch

def composite_front_to_back(alphas, colors):
    C = torch.zeros(alphas.shape[0], 3, dtype=torch.float64)
    T_final = torch.ones(alphas.shape[0], dtype=torch.float64)
    for p in range(alphas.shape[0]):
        T = 1.0
        for i in range(alphas.shape[1]):
            test_T = T * (1 - alphas[p, i].item())
            if test_T < 0.0001:
                break
            C[p] += colors[i] * alphas[p, i] * T
            T = test_T
        T_final[p] = T
    return C, T_final
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail"
    assert result.diagnosis["id"] == "stopped_early"
    assert result.failure.case.startswith("no early termination when T gets small")
