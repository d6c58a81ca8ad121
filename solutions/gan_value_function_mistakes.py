"""Known mistakes for gan_value_function: one function per mistake id, with the entry point's signature."""

import torch
import torch.nn.functional as F


def nonsaturating_term(real_logits, fake_logits):
    return F.logsigmoid(real_logits).mean() + F.logsigmoid(fake_logits).mean()


def sign_swapped(real_logits, fake_logits):
    return -(F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())


def naive_log_sigmoid(real_logits, fake_logits):
    return torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean()


def naive_softplus(real_logits, fake_logits):
    def softplus(t):
        return torch.log(1 + torch.exp(t))

    return -softplus(-real_logits).mean() - softplus(fake_logits).mean()


def missing_mean(real_logits, fake_logits):
    return F.logsigmoid(real_logits).sum() + F.logsigmoid(-fake_logits).sum()


def pooled_mean(real_logits, fake_logits):
    return torch.cat([F.logsigmoid(real_logits), F.logsigmoid(-fake_logits)]).mean()


def swapped_roles(real_logits, fake_logits):
    return F.logsigmoid(fake_logits).mean() + F.logsigmoid(-real_logits).mean()
