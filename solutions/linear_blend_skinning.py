"""Reference: linear blend skinning, v'_i = Σ_j w_ij G_j [v_i; 1] (Magnenat-Thalmann et al. 1988; the
skinning function W of SMPL, Loper et al. 2015, eq. 2)."""

import math

import torch


def lbs(vertices, weights, transforms):
    homogeneous = torch.cat([vertices, torch.ones_like(vertices[:, :1])], dim=1)  # (V, 4): [v; 1]
    blended = torch.einsum("vj,jab->vab", weights, transforms)  # (V, 4, 4): Σ_j w_ij G_j per vertex
    return torch.einsum("vab,vb->va", blended, homogeneous)[:, :3]


# ---------------------------------------------------------------- cases (reference process only)

def make_cases(seed):
    g = torch.Generator().manual_seed(seed)
    cases = [
        _case("both vertices follow joint 0, a pure translation by (1, 2, 3); joint 1 is the identity",
              [[0.0, 0.0, 0.0], [1.0, -1.0, 0.5]], [[1.0, 0.0], [1.0, 0.0]],
              [rigid(_rot_z(0.0), [1.0, 2.0, 3.0]), rigid(_rot_z(0.0), [0.0, 0.0, 0.0])]),
        _case("two joints, each vertex bound to one: joint 1 turns 90° about z and moves up by 1",
              [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]],
              [rigid(_rot_z(0.0), [0.0, 0.0, 0.0]), rigid(_rot_z(math.pi / 2), [0.0, 0.0, 1.0])]),
        _case("half-half between +90° and −90° about z: (1, 0, 0) collapses to the origin (candy wrapper)",
              [[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]], [[0.5, 0.5], [0.5, 0.5]],
              [rigid(_rot_z(math.pi / 2), [0.0, 0.0, 0.0]), rigid(_rot_z(-math.pi / 2), [0.0, 0.0, 0.0])]),
        _case("two joints with translations, weights 0.25 / 0.75 (V = J = 2)",
              [[1.0, 1.0, 0.0], [-1.0, 0.0, 2.0]], [[0.25, 0.75], [0.75, 0.25]],
              [rigid(_rot_z(math.pi / 2), [1.0, 0.0, 0.0]), rigid(_rot_z(math.pi), [0.0, -2.0, 0.5])]),
        _case("V = J = 3, random rigid transforms", *_random_rig(g, 3, 3, dense=True)),
    ]
    for number in range(1, 8):
        n_vertices, n_joints = int(torch.randint(2, 7, (), generator=g)), int(torch.randint(2, 5, (), generator=g))
        dense = number % 2 == 1
        kind = "dense weights" if dense else "at most two joints per vertex"
        cases.append(_case(f"random #{number} (V = {n_vertices}, J = {n_joints}, {kind})",
                           *_random_rig(g, n_vertices, n_joints, dense)))
    return cases


def _case(name, vertices, weights, transforms):
    weights = torch.as_tensor(weights, dtype=torch.float64)
    # V, J ≥ 2: einsum broadcasts size-1 dims, so with J = 1 a transposed-weights einsum returns values
    # where a transposed matmul raises, and weights_transposed could not be diagnosed for both.
    assert min(weights.shape) >= 2, name
    assert torch.allclose(weights.sum(dim=1), torch.ones(len(weights), dtype=torch.float64)), name
    return {"name": name, "args": {"vertices": torch.as_tensor(vertices, dtype=torch.float64),
                                   "weights": weights, "transforms": torch.stack(list(transforms))}}


def rigid(rotation, translation):
    """The 4 × 4 matrix [[R, t], [0, 0, 0, 1]]."""
    G = torch.eye(4, dtype=torch.float64)
    G[:3, :3] = rotation
    G[:3, 3] = torch.as_tensor(translation, dtype=torch.float64)
    return G


def rotation_about(axis, angle):
    """Rodrigues' formula: R = I + sin θ K + (1 − cos θ) K², K the cross-product matrix of the unit axis."""
    x, y, z = (axis / axis.norm()).tolist()
    K = torch.tensor([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]], dtype=torch.float64)
    return torch.eye(3, dtype=torch.float64) + math.sin(angle) * K + (1 - math.cos(angle)) * K @ K


def _rot_z(angle):
    """A rotation about z; quarter turns get exact entries so the hand-checkable cases print cleanly."""
    c, s = round(math.cos(angle), 12), round(math.sin(angle), 12)
    return torch.tensor([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64)


def _random_rig(g, n_vertices, n_joints, dense):
    vertices = torch.randn(n_vertices, 3, generator=g, dtype=torch.float64)
    logits = 2 * torch.randn(n_vertices, n_joints, generator=g, dtype=torch.float64)
    if not dense:  # like a real rig: each vertex follows its two most influential joints
        second = logits.topk(min(2, n_joints), dim=1).values[:, -1:]
        logits = logits.masked_fill(logits < second, -math.inf)
    weights = torch.softmax(logits, dim=1)
    transforms = [rigid(rotation_about(torch.randn(3, generator=g, dtype=torch.float64),
                                       float(torch.empty(()).uniform_(-math.pi, math.pi, generator=g))),
                        torch.randn(3, generator=g, dtype=torch.float64))
                  for _ in range(n_joints)]
    return vertices, weights, transforms
