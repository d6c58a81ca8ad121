"""linear_blend_skinning: the reference against R v + t per joint; rigid and candy-wrapper properties; a
mistake diagnosed across errors and wrong values.
(Other correct styles, rules and feedback: `examples:` in exercises/linear_blend_skinning.yaml.)"""

import math

import pytest
import torch

from solutions.linear_blend_skinning import lbs, rigid, rotation_about

EXERCISE = "linear_blend_skinning"


def oracle_lbs(vertices, weights, transforms):
    """No homogeneous coordinates: v' = Σ_j w_ij (R_j v_i + t_j), one vertex and one joint at a time."""
    posed = torch.zeros_like(vertices)
    for i in range(len(vertices)):
        for j in range(len(transforms)):
            R, t = transforms[j, :3, :3], transforms[j, :3, 3]
            posed[i] += weights[i, j] * (R @ vertices[i] + t)
    return posed


def test_every_graded_case_matches_rotating_and_translating_per_joint(course, grader):
    square = 0
    for case in grader.reference_cases(course.get(EXERCISE)):
        args = [torch.tensor(case.inputs[n].array) for n in ("vertices", "weights", "transforms")]
        torch.testing.assert_close(torch.tensor(case.expected.array), oracle_lbs(*args),
                                   rtol=1e-12, atol=1e-12, msg=case.name)
        bottom_rows = args[2][:, 3, :]
        assert torch.equal(bottom_rows, torch.tensor([0.0, 0, 0, 1]).expand_as(bottom_rows)), case.name
        square += args[1].shape[0] == args[1].shape[1]
    assert square >= 2  # where a transposed (J, V) weight matrix gives values instead of an error


def test_one_shared_transform_moves_the_mesh_rigidly():
    gen = torch.Generator().manual_seed(2)
    vertices = torch.randn(6, 3, dtype=torch.float64, generator=gen)
    weights = torch.softmax(torch.randn(6, 3, dtype=torch.float64, generator=gen), dim=1)
    G = rigid(rotation_about(torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64), 1.1), [0.5, -1.0, 2.0])
    posed = lbs(vertices, weights, G.expand(3, 4, 4))
    torch.testing.assert_close(torch.cdist(posed, posed), torch.cdist(vertices, vertices))
    torch.testing.assert_close(posed, vertices @ G[:3, :3].T + G[:3, 3])


def test_blending_opposite_rotations_collapses_the_point_the_candy_wrapper_artefact():
    turn = [rigid(rotation_about(torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64), a), [0.0, 0.0, 0.0])
            for a in (math.pi / 2, -math.pi / 2)]
    posed = lbs(torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64),
                torch.tensor([[0.5, 0.5]], dtype=torch.float64), torch.stack(turn))
    assert posed.norm() < 1e-12


@pytest.mark.parametrize("blend", ["torch.einsum('jv,jab->vab', weights, transforms)",
                                   "(weights.T @ transforms.reshape(-1, 16)).reshape(-1, 4, 4)"])


def test_transposed_weights_are_diagnosed_across_errors_and_wrong_values(grade_text, blend):
    source = f"""
import torch


def lbs(vertices, weights, transforms):
    vh = torch.cat([vertices, torch.ones_like(vertices[:, :1])], dim=1)
    M = {blend}
    return (M @ vh[:, :, None])[:, :3, 0]
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "weights_transposed"
    assert {"fail", "error"} <= {t.status for t in result.tests}  # wrong values where V = J, else a shape error
