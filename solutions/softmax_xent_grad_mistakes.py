"""Known mistakes for softmax_xent_grad; each is the reference with one thing wrong."""

import torch


def _row_softmax(logits):
    e = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)


def _grad(logits, labels, probs_fn=_row_softmax, divisor=None, sign=1.0, only_label=False):
    probs = probs_fn(logits)
    onehot = torch.zeros_like(probs)
    onehot[torch.arange(labels.shape[0]), labels] = 1.0
    diff = sign * (probs - onehot)
    if only_label:
        diff = diff * onehot
    return diff / (logits.shape[0] if divisor is None else divisor)


def not_divided_by_batch(logits, labels):
    return _grad(logits, labels, divisor=1)


def sign_flipped(logits, labels):
    return _grad(logits, labels, sign=-1.0)


def divided_by_all_entries(logits, labels):
    return _grad(logits, labels, divisor=logits.numel())


def gradient_only_at_label(logits, labels):
    return _grad(logits, labels, only_label=True)


def softmax_over_batch(logits, labels):
    return _grad(logits, labels, probs_fn=lambda z: torch.softmax(z, dim=0))


def sigmoid_instead_of_softmax(logits, labels):
    return _grad(logits, labels, probs_fn=torch.sigmoid)


def _softmax_without_shift(logits):
    e = torch.exp(logits)
    return e / e.sum(dim=1, keepdim=True)


def unstable_softmax(logits, labels):
    return _grad(logits, labels, probs_fn=_softmax_without_shift)


def _softmax_shifted_by_global_max(logits):
    e = torch.exp(logits - logits.max())
    return e / e.sum(dim=1, keepdim=True)


def global_max_shift(logits, labels):
    return _grad(logits, labels, probs_fn=_softmax_shifted_by_global_max)
