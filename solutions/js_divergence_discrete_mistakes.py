"""Known mistakes for js_divergence_discrete: one function per mistake id, with the entry point's signature."""

import math

import torch


def _kl(p, r):
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, r)).sum(dim=-1)


def notes_typo_second_term(p, q):
    # ½ KL(p ‖ m) + ½ KL(p ‖ m), as printed in one of the notes' summaries.
    m = 0.5 * (p + q)
    return 0.5 * _kl(p, m) + 0.5 * _kl(p, m)


def mixture_not_halved(p, q):
    m = p + q
    return 0.5 * _kl(p, m) + 0.5 * _kl(q, m)


def missing_half(p, q):
    m = 0.5 * (p + q)
    return _kl(p, m) + _kl(q, m)


def symmetrised_kl(p, q):
    return 0.5 * _kl(p, q) + 0.5 * _kl(q, p)


def naive_zero_terms(p, q):
    # p·log(p/m) without the 0·log 0 = 0 convention: NaN wherever p = 0.
    m = 0.5 * (p + q)
    return 0.5 * (p * torch.log(p / m)).sum(dim=-1) + 0.5 * (q * torch.log(q / m)).sum(dim=-1)


def bits_not_nats(p, q):
    m = 0.5 * (p + q)
    return (0.5 * _kl(p, m) + 0.5 * _kl(q, m)) / math.log(2)


def forgot_sum(p, q):
    m = 0.5 * (p + q)
    return 0.5 * (torch.special.xlogy(p, p) - torch.special.xlogy(p, m)) \
        + 0.5 * (torch.special.xlogy(q, q) - torch.special.xlogy(q, m))
