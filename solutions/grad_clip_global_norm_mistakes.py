"""Known mistakes in gradient clipping by global norm."""

import torch


def _global_norm(grads):
    return torch.sqrt(sum((g * g).sum() for g in grads.values())).item()


def _scaled(grads, scale):
    return {name: g * scale for name, g in grads.items()}


def per_tensor_clipping(grads, max_norm):
    clipped = {name: g * min(1.0, max_norm / (g.norm().item() + 1e-6)) for name, g in grads.items()}
    return clipped, _global_norm(grads)


def always_rescaled(grads, max_norm):
    total = _global_norm(grads)
    return _scaled(grads, max_norm / total if total else float("nan")), total


def always_rescaled_guarded(grads, max_norm):
    total = _global_norm(grads)
    return _scaled(grads, max_norm / (total + 1e-6)), total


def clip_by_value(grads, max_norm):
    return {name: g.clamp(-max_norm, max_norm) for name, g in grads.items()}, _global_norm(grads)


def sum_of_norms(grads, max_norm):
    total = sum(g.norm().item() for g in grads.values())
    return _scaled(grads, min(1.0, max_norm / (total + 1e-6))), total


def norm_not_square_rooted(grads, max_norm):
    total = sum((g * g).sum().item() for g in grads.values())
    return _scaled(grads, min(1.0, max_norm / (total + 1e-6))), total


def scale_inverted(grads, max_norm):
    total = _global_norm(grads)
    return _scaled(grads, total / max_norm if total > max_norm else 1.0), total


def norm_after_clipping(grads, max_norm):
    total = _global_norm(grads)
    clipped = _scaled(grads, min(1.0, max_norm / (total + 1e-6)))
    return clipped, _global_norm(clipped)
