"""front_to_back_compositing: the reference against back-to-front 'over' compositing and NeRF's volume
rendering; conservation of light.
(Other correct styles, rules and feedback: `examples:` in exercises/front_to_back_compositing.yaml.)"""

import torch

from solutions.front_to_back_compositing import composite_front_to_back
from solutions.volume_rendering_weights import volume_rendering_weights


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
