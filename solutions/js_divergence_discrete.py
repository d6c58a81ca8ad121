"""Reference for js_divergence_discrete: the Jensen–Shannon divergence between discrete distributions,
JS(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = ½(p + q) (Lin 1991, "Divergence measures based on
the Shannon entropy", eq. 4.1 with equal weights), in nats, with the convention 0·log 0 = 0."""

import torch


def js_divergence(p, q):
    m = 0.5 * (p + q)
    return 0.5 * _kl(p, m) + 0.5 * _kl(q, m)


def _kl(p, m):
    # xlogy(0, ·) = 0 is the 0·log 0 = 0 convention; where p > 0 also m > 0, so no log 0 survives.
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, m)).sum(dim=-1)


# ---------------------------------------------------------------- cases (reference process only)

def make_cases(seed):
    """Hand-checkable pairs first, then seeded batches, half of them with zero probabilities."""
    cases = [
        _case("p = q (K = 3): JS = 0", [0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
        _case("p = (1, 0), q = (½, ½): m = (¾, ¼), JS = ¾·log(4/3)",
              [1.0, 0.0], [0.5, 0.5]),
        _case("disjoint supports (K = 4): JS = log 2, the maximum",
              [0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.25, 0.75]),
        _case("batch of 2 rows (shape (2, 3)), a zero in q",
              [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], [[0.1, 0.3, 0.6], [0.5, 0.5, 0.0]]),
        _case("p_k = q_k = 0 (so m_k = 0 too): a zero p_k contributes nothing, even where m_k = 0",
              [0.0, 0.6, 0.4], [0.0, 0.1, 0.9]),
    ]
    g = torch.Generator().manual_seed(seed)
    shapes = [(4,), (3, 5), (2, 3, 4), (1, 6), (5, 2), (2, 2, 3), (3, 3), (6,)]
    for number, shape in enumerate(shapes, start=1):
        with_zeros = number % 2 == 1
        p, q = _distribution(shape, with_zeros, g), _distribution(shape, with_zeros, g)
        label = f"random #{number}: shape {tuple(shape)}" + (", with zeros" if with_zeros else "")
        cases.append({"name": label, "args": {"p": p, "q": q}})
    return cases


def _case(name, p, q):
    return {"name": name, "args": {"p": torch.tensor(p, dtype=torch.float64),
                                   "q": torch.tensor(q, dtype=torch.float64)}}


def _distribution(shape, with_zeros, g):
    """Rows of a softmax with, optionally, about a third of the entries set to 0 (never a whole row)."""
    weights = torch.randn(shape, generator=g, dtype=torch.float64).mul(1.5).exp()
    if with_zeros:
        keep = torch.rand(shape, generator=g, dtype=torch.float64) > 0.35
        keep[..., 0] |= ~keep.any(dim=-1)  # a row needs some mass
        weights = weights * keep
    return weights / weights.sum(dim=-1, keepdim=True)
