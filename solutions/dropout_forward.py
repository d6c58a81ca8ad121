"""Reference for dropout_forward: inverted dropout.

Dropout (Srivastava et al. 2014, JMLR 15) keeps each unit with probability 1 − p during training
and scales the weights by the keep probability at test time. "Inverted" dropout, as in
torch.nn.functional.dropout, moves that scaling to training time, x ⊙ mask / (1 − p), so the
expected activation is unchanged and inference is the identity.
"""

import torch


def dropout(x, mask, p, train):
    if not train:
        return x
    return x * mask / (1.0 - p)


def _case(name, x, mask, p, train):
    return {"name": name, "args": {"x": torch.as_tensor(x, dtype=torch.float64),
                                   "mask": torch.as_tensor(mask, dtype=torch.float64), "p": p, "train": train}}


def _random_case(number, gen):
    shape = [(5,), (2, 3), (3, 4), (2, 2, 3), (), (2, 1, 3, 2)][number % 6]
    p = [0.1, 0.2, 0.3, 0.6, 0.75][number % 5]
    train = number % 3 != 0
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    mask = (torch.rand(shape, generator=gen, dtype=torch.float64) >= p).to(torch.float64)  # keep w.p. 1 − p
    mode = "train" if train else "eval"
    return {"name": f"random #{number} ({mode}, p = {p}, shape {tuple(shape)})",
            "args": {"x": x, "mask": mask, "p": p, "train": train}}


def make_cases(seed):
    """Hand-checkable cases in both modes, p = 0, shapes from 0-d to 4-d and empty, then seeded random
    ones whose mask keeps w.p. 1 − p."""
    cases = [
        _case("train, p = 0.25: drop the second entry", [1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0], 0.25, True),
        _case("eval (train = False), p = 0.25", [1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0], 0.25, False),
        _case("train, p = 0: nothing is dropped", [0.5, -1.0, 2.0], [1.0, 1.0, 1.0], 0.0, True),
        _case("train, p = 0.8, shape (2, 3)", [[1.0, -2.0, 0.5], [3.0, 1.5, -1.0]],
              [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], 0.8, True),
        _case("eval, p = 0.8, shape (2, 3)", [[1.0, -2.0, 0.5], [3.0, 1.5, -1.0]],
              [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], 0.8, False),
        _case("any shape includes no dimension: a 0-d x, train, p = 0.75 scales it by 4", 3.0, 1.0, 0.75, True),
        _case("any shape includes no dimension: a 0-d x in eval", -1.5, 0.0, 0.3, False),
        _case("any shape: a 4-d x of shape (2, 1, 2, 2), train, p = 0.95 scales the kept entries by 20",
              [[[[1.0, -2.0], [0.5, 4.0]]], [[[-3.0, 0.25], [2.0, -1.0]]]],
              [[[[1.0, 0.0], [0.0, 1.0]]], [[[0.0, 0.0], [1.0, 0.0]]]], 0.95, True),
        _case("any shape includes empty ones: x of shape (0, 3), train", torch.empty(0, 3), torch.empty(0, 3),
              0.3, True),
        _case("train, every entry dropped (mask all 0): zeros", [[2.0, -1.0], [0.5, 3.0]],
              [[0.0, 0.0], [0.0, 0.0]], 0.4, True),
    ]
    gen = torch.Generator().manual_seed(seed)
    return cases + [_random_case(number, gen) for number in range(1, 10)]
