"""Known mistakes in linear blend skinning; each is the reference with one thing wrong."""

import torch


def _homogeneous(vertices, last=1.0):
    return torch.cat([vertices, torch.full_like(vertices[:, :1], last)], dim=1)


def _apply(blended, vertices):
    """Per-vertex 4 × 4 matrices (V, 4, 4) applied to [v; 1]."""
    return torch.einsum("vab,vb->va", blended, _homogeneous(vertices))[:, :3]


def translation_ignored(vertices, weights, transforms):
    rotations = torch.einsum("vj,jab->vab", weights, transforms[:, :3, :3])  # [v; 0] has the same effect
    return torch.einsum("vab,vb->va", rotations, vertices)


def row_vector_convention(vertices, weights, transforms):
    per_joint = torch.einsum("vb,jba->jva", _homogeneous(vertices), transforms)  # [v; 1]ᵀ G_j = (G_jᵀ [v; 1])ᵀ
    return torch.einsum("vj,jva->va", weights, per_joint)[:, :3]


def weights_transposed(vertices, weights, transforms):
    J = transforms.shape[0]
    blended = (weights.T @ transforms.reshape(J, 16)).reshape(-1, 4, 4)  # raises unless V = J
    return _apply(blended, vertices)


def first_joint_only(vertices, weights, transforms):
    return _apply(transforms[:1].expand(len(vertices), 4, 4), vertices)


def most_influential_joint_only(vertices, weights, transforms):
    return _apply(transforms[weights.argmax(dim=1)], vertices)  # rigid skinning
