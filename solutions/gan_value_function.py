"""Reference for gan_value_function: the minimax value V(D, G) (Goodfellow et al. 2014, eq. 1).

D = sigmoid(logit), so log D = logsigmoid(ℓ) = −softplus(−ℓ) and log(1 − D) = logsigmoid(−ℓ),
evaluated from the logits so that saturated discriminators give finite values.
"""

import torch


def gan_value_function(real_logits, fake_logits):
    return _log_sigmoid(real_logits).mean() + _log_sigmoid(-fake_logits).mean()


def _log_sigmoid(t):
    """log sigmoid(t) = −softplus(−t) = min(t, 0) − log1p(e^(−|t|)), exact for any t."""
    return torch.clamp(t, max=0) - torch.log1p(torch.exp(-t.abs()))
