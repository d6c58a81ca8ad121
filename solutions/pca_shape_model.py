"""Reference: a PCA shape space, as used for the identity blend shapes of SMPL (Loper et al. 2015,
sec. 4: "PCA on the registered, pose-normalised template meshes") and for morphable models (Blanz &
Vetter 1999): mean shape, principal directions of the centred data, coefficients, reconstruction."""

import torch


def pca_shape(X, k, new_shape):
    mean = X.mean(dim=0)
    _, _, Vh = torch.linalg.svd(X - mean, full_matrices=False)  # rows of Vh: directions in shape space
    components = largest_entry_positive(Vh[:k])
    coeffs = components @ (new_shape - mean)  # orthonormal rows: projection = dot products
    return {"mean": mean, "components": components, "coeffs": coeffs,
            "reconstruction": mean + coeffs @ components}


def largest_entry_positive(rows):
    """Flip each row so that its entry of largest magnitude is positive (fixes the sign of each direction)."""
    largest = rows.gather(1, rows.abs().argmax(dim=1, keepdim=True))
    return rows * torch.sign(largest)


# ---------------------------------------------------------------- cases (reference process only)

MIN_GAP = 0.05  # consecutive singular values differ by 5 % at least: every direction is well defined
MIN_LEAD = 1e-3  # the largest |entry| of a direction beats the runner-up by this much: its sign is too


def make_cases(seed):
    g = torch.Generator().manual_seed(seed)
    cases = [
        _case("three shapes of one vertex (3V = 3), k = 1: one direction, (1, 0, 0)",
              [[2.0, 1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]], 1, [3.0, 5.0, 1.0]),
        _case("two vertices (3V = 6), four shapes, k = 3 = N − 1: a training shape is reconstructed exactly",
              *_training_shape_case(g)),
        _case("new shape = the mean shape: every coefficient is 0 (3V = 9, k = 2)", *_mean_shape_case(g)),
        _case("six shapes of two vertices (N = 3V = 6), k = 2", *_random_case(g, n_shapes=6, n_vertices=2, k=2)),
    ]
    for number in range(1, 9):
        n_vertices = int(torch.randint(2, 5, (), generator=g))
        n_shapes = int(torch.randint(4, 9, (), generator=g))
        k = int(torch.randint(1, min(n_shapes - 1, 4) + 1, (), generator=g))
        X, k, new_shape = _random_case(g, n_shapes, n_vertices, k)
        cases.append(_case(f"random #{number} (N = {n_shapes}, 3V = {3 * n_vertices}, k = {k})", X, k, new_shape))
    return cases


def _case(name, X, k, new_shape):
    X, new_shape = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(new_shape, dtype=torch.float64)
    assert _well_posed(X, k), name
    return {"name": name, "args": {"X": X, "k": k, "new_shape": new_shape}}


def _well_posed(X, k):
    """The top-k directions and their signs are unique, robustly enough for any correct method."""
    S = torch.linalg.svdvals(X - X.mean(dim=0))
    if k > min(X.shape[0] - 1, X.shape[1]) or S[k - 1] < 1e-6 * S[0]:
        return False
    if any(S[i + 1] > (1 - MIN_GAP) * S[i] for i in range(min(k, len(S) - 1))):
        return False
    top = torch.linalg.svd(X - X.mean(dim=0), full_matrices=False)[2][:k].abs().sort(dim=1, descending=True).values
    return X.shape[1] == 1 or bool((top[:, 0] - top[:, 1] > MIN_LEAD).all())


def _shapes(g, n_shapes, n_vertices, n_modes):
    """A template mesh plus modes of decreasing strength plus a little noise: a toy shape space."""
    template = torch.randn(3 * n_vertices, generator=g, dtype=torch.float64)
    modes = torch.randn(n_modes, 3 * n_vertices, generator=g, dtype=torch.float64)
    strength = 0.6 ** torch.arange(n_modes, dtype=torch.float64)
    weights = torch.randn(n_shapes, n_modes, generator=g, dtype=torch.float64) * strength
    noise = 0.02 * torch.randn(n_shapes, 3 * n_vertices, generator=g, dtype=torch.float64)
    return template + weights @ modes + noise, template, modes


def _random_case(g, n_shapes, n_vertices, k):
    while True:
        X, template, modes = _shapes(g, n_shapes, n_vertices, n_modes=min(n_shapes, 3 * n_vertices))
        if _well_posed(X, k):
            new_shape = template + torch.randn(len(modes), generator=g, dtype=torch.float64) @ modes * 0.5
            return X, k, new_shape


def _training_shape_case(g):
    X, k, _ = _random_case(g, n_shapes=4, n_vertices=2, k=3)
    return X, k, X[2].clone()


def _mean_shape_case(g):
    X, k, _ = _random_case(g, n_shapes=5, n_vertices=3, k=2)
    return X, k, X.mean(dim=0)
