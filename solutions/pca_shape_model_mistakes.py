"""Known mistakes in building and using a PCA shape space; each is the reference with one thing wrong."""

import torch


def _largest_entry_positive(rows):
    largest = rows.gather(1, rows.abs().argmax(dim=1, keepdim=True))
    return rows * torch.sign(largest)


def _model(mean, components, new_shape):
    coeffs = components @ (new_shape - mean)
    return {"mean": mean, "components": components, "coeffs": coeffs,
            "reconstruction": mean + coeffs @ components}


def _svd(data):
    return torch.linalg.svd(data, full_matrices=False)


def not_centered(X, k, new_shape):
    mean = X.mean(dim=0)
    components = _largest_entry_positive(_svd(X)[2][:k])  # the first direction points at the mean
    return _model(mean, components, new_shape)


def left_singular_vectors(X, k, new_shape):
    mean = X.mean(dim=0)
    U = _svd(X - mean)[0]  # (N, N'): one entry per training shape, not per coordinate
    return _model(mean, _largest_entry_positive(U[:, :k].T), new_shape)


def unnormalised_components(X, k, new_shape):
    mean = X.mean(dim=0)
    _, S, Vh = _svd(X - mean)
    return _model(mean, S[:k, None] * _largest_entry_positive(Vh[:k]), new_shape)  # Xcᵀ u_i = σ_i v_i


def ascending_order(X, k, new_shape):
    mean = X.mean(dim=0)
    Vh = _svd(X - mean)[2]
    return _model(mean, _largest_entry_positive(Vh[:k].flip(0)), new_shape)  # eigh's order: smallest first


# Eigenvalues closer than this (relative to the largest) count as equal: their eigenvectors are then any
# basis of a subspace, and what torch.linalg.eigh returns for them is not determined by the data.
NOT_UNIQUE = 1e-6


def least_variance_directions(X, k, new_shape):
    """A variant of ascending_order: eigh's FIRST k columns, the directions of least variance (eigh
    sorts eigenvalues in ascending order). Where such a direction is not unique (a repeated eigenvalue:
    the null space of the centred data has dimension ≥ 2 whenever N − 1 < 3V − 1), a student's eigh
    returns an arbitrary basis of it, so those components and their coefficients are NaN here, which
    the grader does not compare; the reconstruction is determined whenever the subspace of the k
    directions is."""
    mean = X.mean(dim=0)
    _, S, Vh = torch.linalg.svd(X - mean, full_matrices=True)  # all 3V right singular vectors
    variances = torch.zeros(X.shape[1], dtype=X.dtype)
    variances[: len(S)] = S ** 2
    variances, directions = variances.flip(0), Vh.flip(0)  # least variance first, as eigh returns them
    apart = _separated(variances)
    model = _model(mean, _largest_entry_positive(directions[:k]), new_shape)
    top = model["components"].abs().sort(dim=1, descending=True).values
    unique = torch.tensor([apart(i, i - 1) and apart(i, i + 1) for i in range(k)])
    if top.shape[1] > 1:
        unique &= top[:, 0] - top[:, 1] > NOT_UNIQUE  # else the sign convention does not fix the sign
    nan = float("nan")
    return {"mean": mean, "components": torch.where(unique[:, None], model["components"], nan),
            "coeffs": torch.where(unique, model["coeffs"], nan),
            "reconstruction": model["reconstruction"] if apart(k - 1, k) else torch.full_like(mean, nan)}


def _separated(variances):
    """apart(i, j): eigenvalue i differs from eigenvalue j (true where j is out of range)."""
    tolerance = NOT_UNIQUE * variances.max()
    return lambda i, j: not 0 <= j < len(variances) or bool(abs(variances[i] - variances[j]) > tolerance)


def no_sign_convention(X, k, new_shape):
    mean = X.mean(dim=0)
    return _model(mean, _svd(X - mean)[2][:k], new_shape)


def projection_without_mean(X, k, new_shape):
    mean = X.mean(dim=0)
    components = _largest_entry_positive(_svd(X - mean)[2][:k])
    coeffs = components @ new_shape
    return {"mean": mean, "components": components, "coeffs": coeffs,
            "reconstruction": mean + coeffs @ components}


def reconstruction_without_mean(X, k, new_shape):
    model = _model(X.mean(dim=0), _largest_entry_positive(_svd(X - X.mean(dim=0))[2][:k]), new_shape)
    return {**model, "reconstruction": model["coeffs"] @ model["components"]}
