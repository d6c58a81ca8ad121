"""Known mistakes in the splat covariance Σ = R S Sᵀ Rᵀ."""

import torch


def _rotation(q):
    """The statement's matrix for any q, written as R = I + 2w K + 2K², K the cross-product matrix of (x, y, z)."""
    w, x, y, z = q.unbind(-1)
    zero = torch.zeros_like(w)
    K = torch.stack([torch.stack([zero, -z, y], -1), torch.stack([z, zero, -x], -1),
                     torch.stack([-y, x, zero], -1)], dim=-2)
    return torch.eye(3, dtype=q.dtype) + 2 * w[:, None, None] * K + 2 * K @ K


def _unit(q):
    return q / torch.linalg.vector_norm(q, dim=-1, keepdim=True)


def _outer(M):
    return M @ M.transpose(-1, -2)


def scale_not_squared(q, s):
    R = _rotation(_unit(q))
    return R @ torch.diag_embed(s) @ R.transpose(-1, -2)


def quaternion_not_normalised(q, s):
    return _outer(_rotation(q) * s[:, None, :])


def xyzw_order(q, s):
    return _outer(_rotation(_unit(q[:, [3, 0, 1, 2]])) * s[:, None, :])


def transposed_rotation(q, s):
    return _outer(_rotation(_unit(q)).transpose(-1, -2) * s[:, None, :])


def scaled_rows(q, s):
    """S R instead of R S: (S R)(S R)ᵀ = S², the rotation cancels."""
    return _outer(s[:, :, None] * _rotation(_unit(q)))


def returned_rs(q, s):
    return _rotation(_unit(q)) * s[:, None, :]


def exponentiated_scales(q, s):
    return _outer(_rotation(_unit(q)) * s.exp()[:, None, :])
