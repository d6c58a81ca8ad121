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
