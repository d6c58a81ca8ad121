"""Reference for made_masks: the connectivity masks of a one-hidden-layer MADE.

Germain, Gregor, Murray & Larochelle (2015), "MADE: Masked Autoencoder for Distribution
Estimation", eq. 12 (hidden layer) and eq. 13 (output layer), with an input ordering m^0:
    M^W[k, d] = 1[m(k) ≥ m^0(d)],      M^V[d, k] = 1[m^0(d) > m(k)].
"""

import torch


def made_masks(input_degrees, hidden_degrees):
    m0 = input_degrees.to(torch.int64)
    m = hidden_degrees.to(torch.int64)
    # Hidden unit k may see the inputs whose degree is at most its own degree.
    mask_w = (m[:, None] >= m0[None, :]).to(torch.float64)
    # Output d may see hidden units of strictly smaller degree: never a path from x_d to x̂_d.
    mask_v = (m0[:, None] > m[None, :]).to(torch.float64)
    return mask_w, mask_v


def make_cases(seed):
    """Hand-made cases (identity order, a non-involutive permutation, H = D), then random ones."""
    def case(name, degrees, hidden):
        return {"name": name, "args": {"input_degrees": torch.tensor(degrees),
                                       "hidden_degrees": torch.tensor(hidden)}}

    cases = [
        case("identity order, D = 3, H = 4", [1, 2, 3], [1, 2, 1, 2]),
        case("permuted order [3, 1, 4, 2], H = 5", [3, 1, 4, 2], [1, 3, 2, 2, 1]),
        case("D = 2 in reverse order, one hidden unit", [2, 1], [1]),
        case("H = D = 3, order [2, 3, 1]", [2, 3, 1], [2, 1, 1]),
    ]
    g = torch.Generator().manual_seed(seed)
    for number in range(1, 9):
        D = int(torch.randint(3, 8, (), generator=g))
        H = int(torch.randint(2, 10, (), generator=g))
        degrees = torch.randperm(D, generator=g) + 1
        hidden = torch.randint(1, D, (H,), generator=g)
        cases.append(case(f"random #{number} (D={D}, H={H})", degrees.tolist(), hidden.tolist()))
    return cases
