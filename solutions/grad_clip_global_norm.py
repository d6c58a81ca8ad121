"""Reference for grad_clip_global_norm: clipping by the global norm of all gradients together
(Pascanu, Mikolov & Bengio 2013, Alg. 1), in the form of torch.nn.utils.clip_grad_norm_:

    n = √(Σ_i ‖g_i‖²),   g_i ← g_i · min(1, max_norm / (n + 1e-6))

and the norm before clipping is returned. The 1e-6 only guards n = 0; the graded tolerance also
accepts the paper's exact form (rescale when n ≥ max_norm).
"""

import torch

KEYS = ("W1", "b1", "W2", "b2")


def clip_grad_norm(grads, max_norm):
    total = torch.sqrt(sum((g * g).sum() for g in grads.values()))
    scale = min(1.0, max_norm / (total.item() + 1e-6))
    return {name: g * scale for name, g in grads.items()}, total.item()


def _tensors(rows):
    return {name: torch.tensor(value, dtype=torch.float64) for name, value in zip(KEYS, rows)}


def _random_case(number, gen):
    H, D, O = (int(torch.randint(1, 5, (), generator=gen)) for _ in range(3))
    std = [0.3, 1.0, 3.0][number % 3]
    max_norm = [1.0, 5.0, 0.5, 2.0][number % 4]
    shapes = {"W1": (H, D), "b1": (H,), "W2": (O, H), "b2": (O,)}
    grads = {name: std * torch.randn(shape, generator=gen, dtype=torch.float64) for name, shape in shapes.items()}
    return {"name": f"random #{number} (H={H}, D={D}, O={O}, max_norm={max_norm})",
            "args": {"grads": grads, "max_norm": max_norm}}


def make_cases(seed):
    """Hand-checkable cases (norm 5 above and below the threshold, all zeros, a tiny norm), then seeded random ones."""
    norm_five = [[[3.0, 0.0]], [0.0], [[0.0]], [4.0]]
    cases = [
        {"name": "global norm 5 > max_norm = 1: scale everything by 1/5",
         "args": {"grads": _tensors(norm_five), "max_norm": 1.0}},
        {"name": "global norm 5 < max_norm = 10: unchanged",
         "args": {"grads": _tensors(norm_five), "max_norm": 10.0}},
        {"name": "all-zero gradients, max_norm = 1",
         "args": {"grads": _tensors([[[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0], [[0.0, 0.0]], [0.0]]), "max_norm": 1.0}},
        # Below the 1e-6 of max_norm/(n + 1e-6): the guard must not change the factor min(1, ·) = 1.
        {"name": "tiny gradients, global norm 5e-7 < max_norm = 1: unchanged",
         "args": {"grads": _tensors([[[3e-7, 0.0]], [0.0], [[0.0]], [4e-7]]), "max_norm": 1.0}},
        {"name": "one large tensor among small ones, max_norm = 2",
         "args": {"grads": _tensors([[[6.0, -2.0], [1.0, 3.0]], [0.1, -0.2], [[0.3, 0.4]], [0.05]]),
                  "max_norm": 2.0}},
    ]
    gen = torch.Generator().manual_seed(seed)
    return cases + [_random_case(number, gen) for number in range(1, 9)]
