"""smpl_pose_blend_shapes: the reference against an index-by-index sum and SMPL's posedirs layout; the rest
pose.
(Other correct styles, rules and feedback: `examples:` in exercises/smpl_pose_blend_shapes.yaml.)"""

import torch

from solutions.smpl_pose_blend_shapes import smpl_pose_blend

EXERCISE = "smpl_pose_blend_shapes"


def oracle(rotations, pose_basis, template):
    """B_P = Σ_n (R_n − R_n*) P_n with n = 9k + 3i + j for entry (i, j) of joint k + 1, coordinate d of vertex v
    at column 3v + d: written out one index at a time."""
    posed = template.clone()
    for k in range(len(rotations) - 1):
        for i in range(3):
            for j in range(3):
                delta = rotations[k + 1, i, j] - (1.0 if i == j else 0.0)
                for v in range(len(template)):
                    for d in range(3):
                        posed[v, d] += delta * pose_basis[9 * k + 3 * i + j, 3 * v + d]
    return posed


def test_every_graded_case_matches_the_index_by_index_sum(course, grader):
    for case in grader.reference_cases(course.get(EXERCISE)):
        args = [torch.tensor(case.inputs[n].array) for n in ("rotations", "pose_basis", "template")]
        R = args[0]
        torch.testing.assert_close(R @ R.transpose(1, 2), torch.eye(3, dtype=torch.float64).expand_as(R),
                                   msg=case.name)  # the cases hold real rotations
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle(*args),
                                   rtol=1e-12, atol=1e-12, msg=case.name)


def test_reference_reads_the_basis_like_smpls_released_posedirs():
    """SMPL stores posedirs as (V, 3, 9K) and applies matmul(pose_feature, posedirs.reshape(-1, 9K).T)."""
    gen = torch.Generator().manual_seed(5)
    K, V = 3, 4
    posedirs = torch.randn(V, 3, 9 * K, dtype=torch.float64, generator=gen)
    A = torch.randn(K + 1, 3, 3, dtype=torch.float64, generator=gen)
    rotations = torch.linalg.matrix_exp(A - A.transpose(1, 2))  # exp of a skew matrix is a rotation
    template = torch.randn(V, 3, dtype=torch.float64, generator=gen)
    feature = (rotations[1:] - torch.eye(3, dtype=torch.float64)).reshape(-1)
    expected = template + torch.einsum("vdn,n->vd", posedirs, feature)
    torch.testing.assert_close(smpl_pose_blend(rotations, posedirs.reshape(-1, 9 * K).T, template), expected)


def test_any_root_rotation_with_the_joints_at_rest_returns_the_template_exactly():
    A = torch.tensor([[0.0, 0.3, -1.2], [0.0, 0.0, 0.7], [0.0, 0.0, 0.0]], dtype=torch.float64)
    root = torch.linalg.matrix_exp(A - A.T)
    rotations = torch.cat([root[None], torch.eye(3, dtype=torch.float64).expand(4, 3, 3)])
    template = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    basis = torch.randn(36, 15, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    assert torch.equal(smpl_pose_blend(rotations, basis, template), template)
