"""Reference for lstm_cell_forward: one step of an LSTM cell with a forget gate.

Hochreiter & Schmidhuber 1997 (Long Short-Term Memory), with the forget gate of Gers, Schmidhuber
& Cummins 2000, in the form of torch.nn.LSTMCell (gate rows ordered i, f, g, o; one bias b standing
for PyTorch's b_ih + b_hh):

    i = σ(W_i· [x; h] + b_i),  f = σ(…),  g = tanh(…),  o = σ(…)
    c' = f ⊙ c + i ⊙ g,        h' = o ⊙ tanh(c')

tests/exercises/test_lstm_cell_forward.py checks it against torch.nn.LSTMCell.
"""

import torch


def lstm_cell(x, h, c, W_ih, W_hh, b):
    i, f, g, o = (W_ih @ x + W_hh @ h + b).chunk(4)  # PyTorch's row order: i, f, g, o
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)  # gates in (0, 1)
    g = torch.tanh(g)  # candidate values in (−1, 1)
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    return h_new, c_new


# ---------------------------------------------------------------- cases

# (D, H, scale of every argument): D ≠ H both ways, and saturated gates.
FIXED_SHAPES = [(3, 2, 1.0), (1, 4, 1.0), (2, 3, 3.0)]


def make_cases(seed):
    cases = [_readable_case(), _bias_only_case()]
    g = torch.Generator().manual_seed(seed)
    size = lambda: int(torch.randint(1, 5, (), generator=g))  # noqa: E731
    shapes = FIXED_SHAPES + [(size(), size(), 1.0) for _ in range(7)]
    for number, (D, H, scale) in enumerate(shapes, start=1):
        name = f"random #{number} (D = {D}, H = {H}{', large pre-activations' if scale > 1 else ''})"
        cases.append({"name": name, "args": _random_args(D, H, scale, g)})
    # The random sizes stop at H = 4; one wider cell as well, since the statement allows any H.
    cases.append({"name": "a wider cell: D = 2, H = 6 (z has 24 rows)", "args": _random_args(2, 6, 1.0, g)})
    return cases


def _readable_case():
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    return {"name": "H = 1, D = 2: one unit, every gate a scalar", "args": {
        "x": t([1.0, -1.0]), "h": t([0.5]), "c": t([0.8]),
        "W_ih": t([[0.5, 0.1], [0.3, -0.2], [1.0, 0.4], [-0.6, 0.2]]),
        "W_hh": t([[0.2], [-0.4], [0.7], [0.9]]),
        "b": t([0.1, 1.0, -0.3, 0.2])}}


def _bias_only_case():
    """Zero weights: each gate is σ or tanh of its own block of b, so the gate order is plain to see."""
    D, H = 2, 2
    b = torch.tensor([1.0, 2.0, -1.5, -0.5, 0.5, 1.2, 3.0, -2.0], dtype=torch.float64)  # i | f | g | o
    return {"name": "zero weights (D = 2, H = 2): the gates come from b alone, b = [i | f | g | o]", "args": {
        "x": torch.tensor([0.3, -0.7], dtype=torch.float64), "h": torch.tensor([0.4, -0.1], dtype=torch.float64),
        "c": torch.tensor([1.0, -2.0], dtype=torch.float64),
        "W_ih": torch.zeros(4 * H, D, dtype=torch.float64), "W_hh": torch.zeros(4 * H, H, dtype=torch.float64),
        "b": b}}


def _random_args(D, H, scale, g):
    r = lambda *shape, std=1.0: scale * std * torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    return {"x": r(D), "h": r(H, std=0.5), "c": r(H), "W_ih": r(4 * H, D, std=0.7),
            "W_hh": r(4 * H, H, std=0.7), "b": r(4 * H, std=0.5)}
