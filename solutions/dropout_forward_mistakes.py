"""Known mistakes in inverted dropout: how the mask is applied and where (and by what) it is scaled."""


def divided_by_p(x, mask, p, train):
    return x * mask / p if train else x


def no_train_scaling(x, mask, p, train):
    return x * mask if train else x


def classic_dropout(x, mask, p, train):
    return x * mask if train else x * (1.0 - p)


def eval_scaled_by_p(x, mask, p, train):
    return x * mask if train else x * p


def mask_in_eval(x, mask, p, train):
    return x * mask / (1.0 - p)


def scaled_in_eval_too(x, mask, p, train):
    return x * mask / (1.0 - p) if train else x / (1.0 - p)


def complement_mask(x, mask, p, train):
    return x * (1.0 - mask) / (1.0 - p) if train else x
