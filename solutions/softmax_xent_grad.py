"""Reference for softmax_xent_grad: ∂/∂z of the mean cross-entropy of softmax(z) over a batch.

For one sample, L = −log softmax(z)_y = logsumexp(z) − z_y, so ∂L/∂z = softmax(z) − onehot(y)
(e.g. Goodfellow, Bengio & Courville 2016, Deep Learning, §6.2.2.3). The batch loss is the mean
over the B samples (torch.nn.functional.cross_entropy, reduction='mean'), hence the 1/B.
"""

import torch


def stable_softmax(logits):
    """Row-wise softmax; shifting each row by its own max keeps exp() in (0, 1]."""
    shifted = logits - logits.max(dim=1, keepdim=True).values
    e = torch.exp(shifted)
    return e / e.sum(dim=1, keepdim=True)


def softmax_xent_grad(logits, labels):
    probs = stable_softmax(logits)
    onehot = torch.zeros_like(probs)
    onehot[torch.arange(labels.shape[0]), labels] = 1.0
    return (probs - onehot) / logits.shape[0]


def _case(name, logits, labels):
    return {"name": name, "args": {"logits": torch.tensor(logits, dtype=torch.float64),
                                   "labels": torch.tensor(labels, dtype=torch.int64)}}


def _random_case(number, gen):
    B = int(torch.randint(2, 6, (), generator=gen))
    C = int(torch.randint(2, 7, (), generator=gen))
    scale = [1.0, 3.0][number % 2]
    logits = scale * torch.randn(B, C, generator=gen, dtype=torch.float64)
    labels = torch.randint(0, C, (B,), generator=gen)
    return {"name": f"random #{number} (B={B}, C={C})", "args": {"logits": logits, "labels": labels}}


def make_cases(seed):
    """Readable hand-checkable cases, then overflow cases, then seeded random ones (labels < C)."""
    cases = [
        _case("one sample, equal logits: B = 1, C = 2", [[0.0, 0.0]], [1]),
        _case("B = 2, C = 3, small logits", [[1.0, 2.0, 3.0], [0.5, -0.5, 0.0]], [0, 2]),
        _case("B = 3, C = 2 (more samples than classes)", [[2.0, -1.0], [0.0, 0.3], [-1.5, 1.0]], [0, 1, 0]),
        _case("huge logits: B = 2, C = 3, |z| = 1000", [[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 999.0]], [0, 2]),
        _case("all logits near −1000: B = 2, C = 3", [[-1000.0, -1001.0, -999.0], [-1000.0, -1000.0, -1002.0]],
              [1, 0]),
        _case("one row near +1000, one near −1000: B = 2, C = 3",
              [[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -999.0]], [2, 1]),
    ]
    gen = torch.Generator().manual_seed(seed)
    cases += [_random_case(number, gen) for number in range(1, 9)]
    return cases
