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
    return {"name": name, "args": {"x": torch.tensor(x, dtype=torch.float64),
                                   "mask": torch.tensor(mask, dtype=torch.float64), "p": p, "train": train}}


def _random_case(number, gen):
    shape = [(5,), (2, 3), (3, 4), (2, 2, 3)][number % 4]
    p = [0.1, 0.2, 0.3, 0.6, 0.75][number % 5]
    train = number % 3 != 0
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    mask = (torch.rand(shape, generator=gen, dtype=torch.float64) >= p).to(torch.float64)  # keep w.p. 1 − p
    mode = "train" if train else "eval"
    return {"name": f"random #{number} ({mode}, p = {p}, shape {tuple(shape)})",
            "args": {"x": x, "mask": mask, "p": p, "train": train}}


def make_cases(seed):
    """Hand-checkable cases in both modes, p = 0, then seeded random ones whose mask keeps w.p. 1 − p."""
    cases = [
        _case("train, p = 0.25: drop the second entry", [1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0], 0.25, True),
        _case("eval (train = False), p = 0.25", [1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0], 0.25, False),
        _case("train, p = 0: nothing is dropped", [0.5, -1.0, 2.0], [1.0, 1.0, 1.0], 0.0, True),
        _case("train, p = 0.8, shape (2, 3)", [[1.0, -2.0, 0.5], [3.0, 1.5, -1.0]],
              [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], 0.8, True),
        _case("eval, p = 0.8, shape (2, 3)", [[1.0, -2.0, 0.5], [3.0, 1.5, -1.0]],
              [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], 0.8, False),
    ]
    gen = torch.Generator().manual_seed(seed)
    return cases + [_random_case(number, gen) for number in range(1, 10)]
