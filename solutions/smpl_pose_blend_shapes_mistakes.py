"""Known mistakes in SMPL's pose blend shapes; each is the reference with one thing wrong."""

import torch


def _blend(pose_feature, pose_basis):
    return (pose_feature @ pose_basis).reshape(-1, 3)


def _feature(joint_rotations):
    return (joint_rotations - torch.eye(3, dtype=joint_rotations.dtype)).reshape(-1)


def identity_not_subtracted(rotations, pose_basis, template):
    return template + _blend(rotations[1:].reshape(-1), pose_basis)


def root_included(rotations, pose_basis, template):
    K = pose_basis.shape[0] // 9
    return template + _blend(_feature(rotations[:K]), pose_basis)  # the root in, the last joint out


def column_major_vec(rotations, pose_basis, template):
    return template + _blend(_feature(rotations[1:].transpose(1, 2)), pose_basis)


def coordinate_major_layout(rotations, pose_basis, template):
    offsets = _feature(rotations[1:]) @ pose_basis
    return template + offsets.reshape(3, -1).T  # reads 3V as (x₁…x_V, y₁…, z₁…)


def blend_added_twice(rotations, pose_basis, template):
    return template + 2 * _blend(_feature(rotations[1:]), pose_basis)


def template_missing(rotations, pose_basis, template):
    return _blend(_feature(rotations[1:]), pose_basis)
