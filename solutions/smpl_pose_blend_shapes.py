"""Reference: SMPL's pose blend shapes (Loper et al. 2015, eq. 9 and the T_P of eq. 6):
T_P = T̄ + B_P(θ),  B_P(θ) = Σ_{n=1}^{9K} (R_n(θ) − R_n(θ*)) P_n,
where R(θ) ∈ ℝ^{9K} stacks the K non-root joint rotations, each flattened row by row (as in the
released SMPL code), R(θ*) is the rest pose (identity rotations) and P_n ∈ ℝ^{3V} (x₁, y₁, z₁, x₂, …)."""

import math

import torch


def smpl_pose_blend(rotations, pose_basis, template):
    eye = torch.eye(3, dtype=rotations.dtype)
    pose_feature = (rotations[1:] - eye).reshape(-1)  # (9K,): the root (index 0) never enters B_P
    offsets = (pose_feature @ pose_basis).reshape(-1, 3)  # (V, 3): vertex-major layout of 3V
    return template + offsets


# ---------------------------------------------------------------- cases (reference process only)

def make_cases(seed):
    g = torch.Generator().manual_seed(seed)
    quarter_z = _rotation(torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64), math.pi / 2)
    cases = [
        _case("rest pose (every rotation the identity): T exactly", torch.eye(3).expand(3, 3, 3),
              torch.randn(18, 6, generator=g, dtype=torch.float64), [[0.0, 1.0, 2.0], [-1.0, 0.5, 1.5]]),
        _case("only the root turned 90° about z: still T exactly (the root never drives B_P)",
              torch.stack([quarter_z, torch.eye(3, dtype=torch.float64), torch.eye(3, dtype=torch.float64)]),
              torch.randn(18, 6, generator=g, dtype=torch.float64), [[0.0, 1.0, 2.0], [-1.0, 0.5, 1.5]]),
        _case("K = 1, V = 1, T = (1, 2, 3): joint 1 turned 90° about z; rows 0, 1, 3 of P are e_x, e_y, e_z, "
              "the others 0", torch.stack([torch.eye(3, dtype=torch.float64), quarter_z]),
              _unit_rows(9, {0: 0, 1: 1, 3: 2}), [[1.0, 2.0, 3.0]]),
        _case("K = 2, V = 3: joint 1 at rest, joint 2 bent, root bent", *_random_pose(g, 2, 3, rest={1})),
    ]
    for number in range(1, 9):
        n_joints, n_vertices = int(torch.randint(1, 5, (), generator=g)), int(torch.randint(2, 6, (), generator=g))
        cases.append(_case(f"random #{number} (K = {n_joints}, V = {n_vertices})",
                           *_random_pose(g, n_joints, n_vertices, rest=set())))
    return cases


def _case(name, rotations, pose_basis, template):
    args = {"rotations": rotations, "pose_basis": pose_basis, "template": template}
    return {"name": name, "args": {k: torch.as_tensor(v).to(torch.float64).contiguous() for k, v in args.items()}}


def _unit_rows(n_rows, axis_of_row):
    basis = torch.zeros(n_rows, 3, dtype=torch.float64)
    for row, axis in axis_of_row.items():
        basis[row, axis] = 1.0
    return basis


def _rotation(axis, angle):
    """Rodrigues' formula, with entries rounded so that quarter turns print exactly."""
    x, y, z = (axis / axis.norm()).tolist()
    K = torch.tensor([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]], dtype=torch.float64)
    R = torch.eye(3, dtype=torch.float64) + math.sin(angle) * K + (1 - math.cos(angle)) * K @ K
    return torch.round(R, decimals=14)


def _random_pose(g, n_joints, n_vertices, rest):
    """Root plus K joints, each a random rotation of up to ~100° (joints in `rest` at the identity)."""
    rotations = [torch.eye(3, dtype=torch.float64) if k in rest else
                 _rotation(torch.randn(3, generator=g, dtype=torch.float64),
                           float(torch.empty(()).uniform_(0.3, 1.8, generator=g)))
                 for k in range(n_joints + 1)]
    pose_basis = 0.1 * torch.randn(9 * n_joints, 3 * n_vertices, generator=g, dtype=torch.float64)
    template = torch.randn(n_vertices, 3, generator=g, dtype=torch.float64)
    return torch.stack(rotations), pose_basis, template
