"""Reference for perceptron_update: Rosenblatt's perceptron learning rule (Rosenblatt 1958), online:
visit the samples in order and update only on a mistake, y_i (w · x_i) ≤ 0 (a point on the
boundary counts as a mistake, as in Novikoff's convergence proof), with w ← w + lr · y_i x_i.
The bias is folded into w: the last column of X is all ones.
"""

import torch


def perceptron(w, X, y, lr, epochs):
    w = w.clone()
    updates = 0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            if y_i * torch.dot(w, x_i) <= 0:
                w = w + lr * y_i * x_i
                updates += 1
    return w, updates


def _with_bias(features):
    return torch.cat([features, torch.ones(features.shape[0], 1, dtype=torch.float64)], dim=1)


def _case(name, w, X, y, lr, epochs):
    as_tensor = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    return {"name": name, "args": {"w": as_tensor(w), "X": as_tensor(X), "y": as_tensor(y), "lr": lr,
                                   "epochs": epochs}}


def _random_case(number, gen):
    N = int(torch.randint(3, 9, (), generator=gen))
    D = int(torch.randint(1, 4, (), generator=gen))
    X = _with_bias(torch.randn(N, D, generator=gen, dtype=torch.float64))
    teacher = torch.randn(D + 1, generator=gen, dtype=torch.float64)
    y = torch.where(X @ teacher >= 0, 1.0, -1.0).to(torch.float64)  # linearly separable labels
    if number % 3 == 0:  # flip one label: not separable any more
        y[0] = -y[0]
    start_at_zero = number % 2 == 1
    w = torch.zeros(D + 1, dtype=torch.float64) if start_at_zero else torch.randn(D + 1, generator=gen,
                                                                                   dtype=torch.float64)
    lr, epochs = [1.0, 0.5, 0.1][number % 3], 1 + number % 4
    return {"name": f"random #{number} (N={N}, D={D}+1, epochs={epochs}, w0 {'= 0' if start_at_zero else 'random'})",
            "args": {"w": w, "X": X, "y": y, "lr": lr, "epochs": epochs}}


def make_cases(seed):
    """Hand-checkable cases first (w starting at 0, XOR), then seeded random ones."""
    cases = [
        _case("w0 = 0, two points, one epoch", [0.0, 0.0, 0.0], [[2.0, 1.0, 1.0], [-1.0, -1.0, 1.0]],
              [1.0, -1.0], 1.0, 1),
        _case("w0 = 0, four separable points, three epochs", [0.0, 0.0, 0.0],
              [[1.0, 1.0, 1.0], [2.0, -1.0, 1.0], [-1.0, 0.5, 1.0], [-2.0, -1.0, 1.0]], [1.0, 1.0, -1.0, -1.0],
              1.0, 3),
        _case("XOR is not separable: updates never stop (2 epochs)", [0.0, 0.0, 0.0],
              [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]], [-1.0, 1.0, 1.0, -1.0], 1.0, 2),
        _case("w0 ≠ 0, lr = 0.5, first point misclassified", [1.0, -1.0, 0.5],
              [[-1.0, 2.0, 1.0], [1.0, 1.0, 1.0], [0.5, -2.0, 1.0]], [1.0, 1.0, -1.0], 0.5, 2),
        _case("on the boundary with w ≠ 0: w · x_1 = 0 counts as a mistake, y_1 = +1", [1.0, -1.0, 0.0],
              [[1.0, 1.0, 1.0], [2.0, 0.0, 1.0], [-1.0, 3.0, 1.0]], [1.0, 1.0, -1.0], 1.0, 1),
    ]
    gen = torch.Generator().manual_seed(seed)
    return cases + [_random_case(number, gen) for number in range(1, 9)]
