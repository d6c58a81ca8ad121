"""Reference for splat_covariance: the 3D covariance of a Gaussian splat from its rotation and scales.

Kerbl et al. 2023 (3D Gaussian Splatting), eq. 6: Σ = R S Sᵀ Rᵀ, with S = diag(s) and R the rotation of
the unit quaternion q / ‖q‖, q = (w, x, y, z) (the paper normalises q to get a valid rotation; the
matrix is their `build_rotation`).
"""

import torch


def splat_covariance(q, s):
    R = rotation_matrix(q / torch.linalg.vector_norm(q, dim=-1, keepdim=True))
    M = R * s[:, None, :]  # R S: column k of R scaled by s_k
    return M @ M.transpose(-1, -2)


def rotation_matrix(q):
    """(N, 4) unit quaternions (w, x, y, z) -> (N, 3, 3) rotation matrices."""
    w, x, y, z = q.unbind(-1)
    rows = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ]
    return torch.stack([torch.stack(row, dim=-1) for row in rows], dim=-2)
