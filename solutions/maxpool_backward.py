"""Reference for maxpool_backward: the backward pass of 2-D max pooling.

Max pooling y[r, c] = max over the k × k window at (r·s, c·s) is piecewise linear: its derivative
is 1 at the window's argmax and 0 elsewhere, so ∂L/∂x receives each dy[r, c] at that argmax,
summed over windows that share it (Goodfellow, Bengio & Courville 2016, §9.3; the notes' "Max-Pool
B: δ^(l−1) = δ^(l) at i* = argmax"). On ties the first maximum in row-major order wins, as in
PyTorch's max_pool2d. Plain loops, because validation grades this file as a submission and the
exercise forbids autograd and max-pool ops; tests/exercises/test_maxpool_backward.py checks it
against autograd through F.max_pool2d.
"""

import torch


def maxpool2d_backward(x, dy, k, stride):
    dx = torch.zeros_like(x)
    out_h, out_w = dy.shape
    for r in range(out_h):
        for c in range(out_w):
            top, left = r * stride, c * stride
            window = x[top:top + k, left:left + k]
            i, j = divmod(int(torch.argmax(window)), k)  # argmax returns the first maximum
            dx[top + i, left + j] += dy[r, c]  # += : overlapping windows may share a maximum
    return dx


# ---------------------------------------------------------------- cases

EDGE = [
    ("one 2 × 2 window", [[1.0, 3.0], [4.0, 2.0]], [[5.0]], 2, 2),
    ("4 × 4 input, k = 2, stride = 2 (four windows, no overlap)",
     [[1.0, 5.0, 2.0, 0.0], [3.0, 2.0, 1.0, 4.0], [0.0, 7.0, 6.0, 3.0], [2.0, 1.0, 8.0, 5.0]],
     [[1.0, -2.0], [0.5, 3.0]], 2, 2),
    ("a three-way tie in one window: x = [[2, 2], [1, 2]]", [[2.0, 2.0], [1.0, 2.0]], [[1.5]], 2, 2),
    ("overlapping windows (k = 2, stride = 1) that share their maximum",
     [[1.0, 2.0, 0.0], [3.0, 9.0, 4.0], [0.0, 5.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]], 2, 1),
    ("k = 3, stride = 2 on a 5 × 6 input (the last column is in no window)",
     [[0.0, 4.0, 1.0, 3.0, 2.0, 9.0], [5.0, 1.0, 7.0, 0.0, 6.0, 9.0], [2.0, 8.0, 3.0, 1.0, 4.0, 9.0],
      [1.0, 0.0, 6.0, 5.0, 2.0, 9.0], [3.0, 2.0, 1.0, 7.0, 0.0, 9.0]],
     [[1.0, -1.0], [2.0, 0.5]], 3, 2),
    ("every entry negative (a running maximum started at 0 never moves): x = [[−3, −1], [−2, −5]]",
     [[-3.0, -1.0], [-2.0, -5.0]], [[2.5]], 2, 2),
]


def make_cases(seed):
    cases = [_case(name, torch.tensor(x, dtype=torch.float64), torch.tensor(dy, dtype=torch.float64), k, s)
             for name, x, dy, k, s in EDGE]
    g = torch.Generator().manual_seed(seed)
    for number in range(1, 11):
        k = int(torch.randint(2, 4, (), generator=g))
        stride = int(torch.randint(1, k + 1, (), generator=g))
        H, W = (int(v) for v in torch.randint(k, k + 5, (2,), generator=g))
        if number % 2:  # small integers: ties inside and across windows
            x = torch.randint(0, 3, (H, W), generator=g).to(torch.float64)
            kind = "small integers, with ties"
        else:
            x = torch.randn(H, W, generator=g, dtype=torch.float64)
            kind = "normal values"
        dy = torch.randn((H - k) // stride + 1, (W - k) // stride + 1, generator=g, dtype=torch.float64)
        cases.append(_case(f"random #{number} ({H} × {W}, k = {k}, stride = {stride}, {kind})", x, dy, k, stride))
    return cases


def _case(name, x, dy, k, stride):
    return {"name": name, "args": {"x": x, "dy": dy, "k": k, "stride": stride}}
