"""Reference: classifier-free guidance (Ho & Salimans 2022, eq. 6):
ε̃(z, c) = (1 + w) ε(z, c) − w ε(z), with w ≥ 0 the guidance strength (w = 0: the conditional model)."""


def cfg(eps_cond, eps_uncond, w):
    return (1 + w) * eps_cond - w * eps_uncond
