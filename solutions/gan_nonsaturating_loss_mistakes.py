"""Known mistakes for gan_nonsaturating_loss: one function per mistake id, with the entry point's signature."""

import torch
import torch.nn.functional as F


def _loss(fake_logits):
    return F.softplus(-fake_logits).mean()


def _grad(fake_logits):
    return -torch.sigmoid(-fake_logits) / fake_logits.shape[0]


def saturating_loss(fake_logits):
    # E[log(1 − D)] = −mean softplus(ℓ), minimised by G; its gradient is −sigmoid(ℓ)/M.
    return -F.softplus(fake_logits).mean(), -torch.sigmoid(fake_logits) / fake_logits.shape[0]


def sign_flipped(fake_logits):
    return -_loss(fake_logits), -_grad(fake_logits)


def grad_missing_mean(fake_logits):
    return _loss(fake_logits), -torch.sigmoid(-fake_logits)


def grad_of_saturating_loss(fake_logits):
    return _loss(fake_logits), -torch.sigmoid(fake_logits) / fake_logits.shape[0]


def grad_wrt_probability(fake_logits):
    return _loss(fake_logits), -1 / (fake_logits.shape[0] * torch.sigmoid(fake_logits))


def naive_log(fake_logits):
    return -torch.log(torch.sigmoid(fake_logits)).mean(), _grad(fake_logits)


def saturating_loss_naive(fake_logits):
    return torch.log(1 - torch.sigmoid(fake_logits)).mean(), -torch.sigmoid(fake_logits) / fake_logits.shape[0]
